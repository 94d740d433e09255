using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReplicaKeeper.Failover.Reporting;

/// <summary>Writes a <see cref="PromotionReport"/> as JSON or as markdown (by the file extension).</summary>
public static class PromotionReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string ToJson(PromotionReport report) => JsonSerializer.Serialize(report, JsonOptions);

    public static PromotionReport? FromJson(string json) => JsonSerializer.Deserialize<PromotionReport>(json, JsonOptions);

    public static string ToMarkdown(PromotionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# Promotion report: {report.Outcome}");
        md.AppendLine();
        md.AppendLine(c, $"- Started: {report.StartedAt:u}");
        md.AppendLine(c, $"- Total: {report.TotalMilliseconds:0} ms");
        md.AppendLine(c, $"- Result: {report.Reason}");
        md.AppendLine();
        md.AppendLine("## Gates");
        md.AppendLine();
        md.AppendLine("| Gate | Passed | ms | Detail |");
        md.AppendLine("|---|---|---|---|");
        foreach (var gate in report.Gates)
        {
            md.AppendLine(c, $"| {gate.Name} | {(gate.Passed ? "yes" : "NO")} | {gate.Elapsed.TotalMilliseconds:0} | {Cell(gate.Detail)} |");
        }

        md.AppendLine();
        md.AppendLine("## Fencing");
        md.AppendLine();
        md.AppendLine(report.Fence is { } fence ? $"{fence.Method}, {(fence.Succeeded ? "succeeded" : "FAILED")}: {fence.Detail}" : "not attempted");
        md.AppendLine();
        md.AppendLine("## Steps");
        md.AppendLine();
        md.AppendLine("| Step | ms | Detail |");
        md.AppendLine("|---|---|---|");
        foreach (var step in report.Steps)
        {
            md.AppendLine(c, $"| {step.Name} | {step.Milliseconds:0} | {Cell(step.Detail)} |");
        }

        if (report.NewMaster is { } master)
        {
            md.AppendLine();
            md.AppendLine("## New master");
            md.AppendLine();
            md.AppendLine(c, $"- Binlog: {master.BinlogFile}:{master.BinlogPosition}");
            if (master.GtidExecuted is not null)
            {
                md.AppendLine(c, $"- gtid_executed: `{master.GtidExecuted}`");
            }

            if (master.GtidBinlogPos is not null)
            {
                md.AppendLine(c, $"- gtid_binlog_pos: `{master.GtidBinlogPos}`");
            }
        }

        return md.ToString();
    }

    public static async Task WriteAsync(PromotionReport report, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? ToMarkdown(report) : ToJson(report);
        await File.WriteAllTextAsync(path, text, ct).ConfigureAwait(false);
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

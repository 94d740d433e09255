using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>Writes a drill's report as <c>drill-YYYYMMDD-HHMMSS.md</c> and <c>.html</c> into a directory.</summary>
public static class DrillReportFiles
{
    /// <summary>Returns the paths written (the directory is created when missing).</summary>
    public static async Task<(string Markdown, string Html)> WriteAsync(DrillResult result, string directory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, "drill-" + result.StartedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var markdown = stem + ".md";
        var html = stem + ".html";
        await File.WriteAllTextAsync(markdown, DrillMarkdownReport.Render(result), Encoding.UTF8, ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(html, DrillHtmlReport.Render(result), Encoding.UTF8, ct).ConfigureAwait(false);
        return (markdown, html);
    }

    /// <summary>The facts of the "what was restored" table, shared by both formats.</summary>
    internal static IReadOnlyList<(string Name, string Value)> Facts(DrillResult r) =>
    [
        ("Verdict", $"{Headline(r)} (exit code {r.ExitCode})"),
        ("Started", r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC"),
        ("Duration", Seconds(r.Duration)),
        ("Archive", r.ArchiveDirectory),
        ("Archive check", r.ArchiveCheck ?? "-"),
        ("Standby (compared with)", r.Standby),
        ("Scratch (restored into)", r.Scratch),
        ("Standby applied position", r.StandbyPosition ?? "-"),
        ("Restore target", r.RestoreTarget ?? "-"),
        ("Snapshot", r.SnapshotId is null ? "none, replayed from the archive's first segment" + (r.Snapshot is null ? "" : $" ({r.Snapshot})") : r.Snapshot ?? r.SnapshotId),
        ("Segments", r.Segments.Count == 0 ? "-" : r.Segments.Count == 1 ? r.Segments[0] : $"{r.Segments[0]} .. {r.Segments[^1]} ({r.Segments.Count})"),
        ("Binlog replayed", string.Create(CultureInfo.InvariantCulture, $"{r.ReplayedBytes / 1048576.0:F1} MiB")),
        ("Transactions applied", r.TransactionsApplied.ToString(CultureInfo.InvariantCulture)),
        ("Last transaction", (r.LastGtid ?? "-") + (r.LastPosition is { } p ? $" (ends at {p})" : "")),
    ];

    internal static string Headline(DrillResult r) => r.Verdict switch
    {
        DrillVerdict.Passed => "PASSED",
        DrillVerdict.Mismatch => "FAILED: data differs",
        DrillVerdict.ArchiveDamaged => "FAILED: archive damaged",
        DrillVerdict.ArchiveBehind => "FAILED: archive behind the standby",
        DrillVerdict.ConnectionFailed => "FAILED: connection problem",
        DrillVerdict.RestoreFailed => "FAILED: restore error",
        _ => "FAILED: invalid setup",
    };

    internal static string Seconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:F1} s");
}

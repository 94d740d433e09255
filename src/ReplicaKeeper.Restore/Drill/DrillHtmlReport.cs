using System.Net;
using System.Text;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>The drill report as one self-contained HTML page (no scripts, no external resources).</summary>
public static class DrillHtmlReport
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
        td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
        .ok{color:#1a7f37}.bad{color:#c62828;font-weight:bold}.num{font-family:monospace;text-align:right}
        """;

    public static string Render(DrillResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var headline = DrillReportFiles.Headline(result);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>Restore drill: ").Append(E(headline)).AppendLine("</title>");
        html.Append("<style>").Append(Style).AppendLine("</style></head><body>");
        html.Append("<h1>ReplicaKeeper restore drill: <span class=\"").Append(result.Passed ? "ok" : "bad").Append("\">")
            .Append(E(headline)).AppendLine("</span></h1>");
        html.Append("<p>").Append(E(result.Summary)).AppendLine("</p>");

        html.AppendLine("<h2>What was restored</h2><table>");
        foreach (var (name, value) in DrillReportFiles.Facts(result))
        {
            html.Append("<tr><th>").Append(E(name)).Append("</th><td>").Append(E(value)).AppendLine("</td></tr>");
        }

        html.AppendLine("</table><h2>Phases</h2><table><tr><th>Phase</th><th>Duration</th><th>Result</th><th>Detail</th></tr>");
        foreach (var phase in result.Phases)
        {
            html.Append("<tr><td>").Append(E(phase.Name)).Append("</td><td class=\"num\">").Append(E(DrillReportFiles.Seconds(phase.Duration)))
                .Append("</td><td class=\"").Append(phase.Succeeded ? "ok\">ok" : "bad\">failed").Append("</td><td>")
                .Append(E(phase.Detail ?? "")).AppendLine("</td></tr>");
        }

        html.AppendLine("</table><h2>Tables (CHECKSUM TABLE)</h2>");
        if (result.Tables.Count == 0)
        {
            html.AppendLine("<p>No tables were compared.</p>");
        }
        else
        {
            html.AppendLine("<table><tr><th>Table</th><th>Standby</th><th>Scratch</th><th>Result</th></tr>");
            foreach (var table in result.Tables)
            {
                html.Append("<tr><td>").Append(E(table.Table.ToString())).Append("</td><td class=\"num\">").Append(E(table.StandbyChecksum ?? "-"))
                    .Append("</td><td class=\"num\">").Append(E(table.ScratchChecksum ?? "-")).Append("</td><td class=\"")
                    .Append(table.Matches ? "ok" : "bad").Append("\">").Append(E(table.Status)).AppendLine("</td></tr>");
            }

            html.AppendLine("</table>");
        }

        if (result.DisabledEvents.Count > 0)
        {
            html.AppendLine("<h2>Scheduled events left disabled on the scratch instance</h2><table><tr><th>Event</th><th>Status</th><th>Enable with</th></tr>");
            foreach (var disabled in result.DisabledEvents)
            {
                html.Append("<tr><td>").Append(E(disabled.Schema + "." + disabled.Name)).Append("</td><td>").Append(E(disabled.Status))
                    .Append(disabled.StatusOnSource is null ? "" : E($" ({disabled.StatusOnSource} on the standby)"))
                    .Append("</td><td><code>").Append(E(disabled.EnableStatement)).AppendLine("</code></td></tr>");
            }

            html.AppendLine("</table>");
        }

        if (result.Problems.Count > 0)
        {
            html.AppendLine("<h2>Problems</h2><ul>");
            foreach (var problem in result.Problems)
            {
                html.Append("<li>").Append(E(problem)).AppendLine("</li>");
            }

            html.AppendLine("</ul>");
        }

        return html.AppendLine("</body></html>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

using System.Text;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>The drill report as GitHub-flavoured markdown.</summary>
public static class DrillMarkdownReport
{
    public static string Render(DrillResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append("# ReplicaKeeper restore drill: ").AppendLine(DrillReportFiles.Headline(result)).AppendLine();
        md.AppendLine(Cell(result.Summary)).AppendLine();
        md.AppendLine("## What was restored").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (name, value) in DrillReportFiles.Facts(result))
        {
            md.Append("| ").Append(name).Append(" | ").Append(Cell(value)).AppendLine(" |");
        }

        md.AppendLine().AppendLine("## Phases").AppendLine();
        md.AppendLine("| Phase | Duration | Result | Detail |").AppendLine("|---|---:|---|---|");
        foreach (var phase in result.Phases)
        {
            md.Append("| ").Append(phase.Name).Append(" | ").Append(DrillReportFiles.Seconds(phase.Duration)).Append(" | ")
                .Append(phase.Succeeded ? "ok" : "**failed**").Append(" | ").Append(Cell(phase.Detail ?? "")).AppendLine(" |");
        }

        md.AppendLine().AppendLine("## Tables (CHECKSUM TABLE)").AppendLine();
        if (result.Tables.Count == 0)
        {
            md.AppendLine("No tables were compared.");
        }
        else
        {
            md.AppendLine("| Table | Standby | Scratch | Result |").AppendLine("|---|---:|---:|---|");
            foreach (var table in result.Tables)
            {
                md.Append("| ").Append(Cell(table.Table.ToString())).Append(" | ").Append(table.StandbyChecksum ?? "-").Append(" | ")
                    .Append(table.ScratchChecksum ?? "-").Append(" | ").Append(table.Matches ? "match" : "**" + table.Status + "**").AppendLine(" |");
            }
        }

        if (result.DisabledEvents.Count > 0)
        {
            md.AppendLine().AppendLine("## Scheduled events left disabled on the scratch instance").AppendLine();
            md.AppendLine("| Event | Status | Enable with |").AppendLine("|---|---|---|");
            foreach (var disabled in result.DisabledEvents)
            {
                md.Append("| ").Append(Cell(disabled.Schema + "." + disabled.Name)).Append(" | ").Append(Cell(disabled.Status))
                    .Append(disabled.StatusOnSource is null ? "" : Cell($" ({disabled.StatusOnSource} on the standby)"))
                    .Append(" | `` ").Append(Cell(disabled.EnableStatement)).AppendLine(" `` |");
            }
        }

        if (result.Problems.Count > 0)
        {
            md.AppendLine().AppendLine("## Problems").AppendLine();
            foreach (var problem in result.Problems)
            {
                md.Append("- ").AppendLine(Cell(problem));
            }
        }

        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

using System.Globalization;
using Spectre.Console;

namespace ReplicaKeeper.Failover.Status;

/// <summary>Renders a <see cref="StatusSnapshot"/> as a table for a person (<c>replicakeeper status</c>).</summary>
public static class StatusRenderer
{
    public static Table ToTable(StatusSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var table = new Table().AddColumn("Component").AddColumn("State").AddColumn("Detail");
        table.Title = new TableTitle($"ReplicaKeeper status at {snapshot.TakenAt.ToString("u", CultureInfo.InvariantCulture)}");
        if (snapshot.Archive is { } archive)
        {
            var lag = archive.LagSeconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s behind") : "lag unknown";
            table.AddRow(
                new Text("Archive"),
                State(archive.Running && archive.Gaps.Count == 0, archive.Running ? (archive.Gaps.Count == 0 ? "running" : "GAPS") : "STOPPED"),
                new Text($"durable {archive.DurableFile}:{archive.DurableOffset} {archive.DurableGtids}; {lag}{(archive.Gaps.Count > 0 ? "; gaps: " + string.Join(", ", archive.Gaps) : "")}"));
        }

        if (snapshot.Applier is { } applier)
        {
            table.AddRow(
                new Text("Standby applier"),
                State(applier.Running, applier.Running ? "running" : "STOPPED"),
                new Text($"applied {applier.AppliedPosition}; {(applier.LagSeconds is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l:0.0} s behind") : "lag unknown")}{(applier.LastError is null ? "" : "; error: " + applier.LastError)}"));
        }

        if (snapshot.LastSnapshot is { } snap)
        {
            table.AddRow(new Text("Last snapshot"), State(true, "ok"), new Text($"{snap.TakenAt.ToString("u", CultureInfo.InvariantCulture)} at {snap.Position}"));
        }

        if (snapshot.LastDrill is { } drill)
        {
            table.AddRow(new Text("Last restore drill"), State(drill.Succeeded, drill.Succeeded ? "passed" : "FAILED"), new Text($"{drill.FinishedAt.ToString("u", CultureInfo.InvariantCulture)} {drill.Detail}"));
        }

        foreach (var component in snapshot.Components)
        {
            var link = component.Reconnects > 0 || component.LinkFailures > 0
                ? string.Create(CultureInfo.InvariantCulture, $"; {component.Reconnects} reconnect(s), {component.LinkFailures} failed link attempt(s)")
                : "";
            table.AddRow(
                new Text("  " + component.Name),
                State(component.Up, component.Up ? "up" : "DOWN"),
                new Text(string.Create(CultureInfo.InvariantCulture, $"since {component.Since?.ToString("u", CultureInfo.InvariantCulture) ?? "-"}; {component.Errors} error(s), {component.Restarts} restart(s){link}")));
        }

        foreach (var alert in snapshot.ActiveAlerts)
        {
            table.AddRow(new Text("Alert"), State(false, "ALERT"), new Text(alert));
        }

        foreach (var error in snapshot.Errors)
        {
            table.AddRow(new Text("Error"), State(false, "error"), new Text(error));
        }

        if (snapshot.Daemon is { } daemon)
        {
            table.Caption = new TableTitle(string.Create(
                CultureInfo.InvariantCulture,
                $"daemon {daemon.Version} up since {daemon.StartedAt:u}{(daemon.PreviousRunCrashed ? "; the previous run CRASHED" : "")}; {daemon.UncleanRestarts} unclean restart(s) in total"));
        }

        return table;
    }

    private static Markup State(bool good, string text) => new(good ? $"[green]{Markup.Escape(text)}[/]" : $"[red]{Markup.Escape(text)}[/]");
}

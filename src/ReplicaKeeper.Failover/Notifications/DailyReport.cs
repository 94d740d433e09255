using System.Globalization;
using System.Text;
using ReplicaKeeper.Failover.Status;

namespace ReplicaKeeper.Failover.Notifications;

/// <summary>The daily status report: every component in a few lines, plus the alerts that hold right now.</summary>
public static class DailyReport
{
    public static Notification Build(StatusSnapshot snapshot, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var alerts = AlertRules.Evaluate(snapshot, thresholds);
        var c = CultureInfo.InvariantCulture;
        var body = new StringBuilder();
        body.AppendLine(c, $"ReplicaKeeper daily report, {snapshot.TakenAt:u}");
        body.AppendLine();
        body.AppendLine(snapshot.Archive is { } a
            ? string.Create(c, $"Archive: {(a.Running ? "running" : "STOPPED")}, durable {a.DurableFile}:{a.DurableOffset}, lag {(a.LagSeconds is { } s ? s.ToString("0.0", c) + " s" : "unknown")}, gaps {a.Gaps.Count}")
            : "Archive: not reported");
        body.AppendLine(snapshot.Applier is { } p
            ? $"Standby applier: {(p.Running ? "running" : "STOPPED")}, applied {p.AppliedPosition}"
            : "Standby applier: not reported");
        body.AppendLine(snapshot.LastSnapshot is { } snap ? $"Last snapshot: {snap.TakenAt.ToString("u", c)} at {snap.Position}" : "Last snapshot: none");
        body.AppendLine(snapshot.LastDrill is { } d ? $"Last restore drill: {(d.Succeeded ? "passed" : "FAILED")} {d.FinishedAt.ToString("u", c)} {d.Detail}" : "Last restore drill: none");
        body.AppendLine();
        body.AppendLine(alerts.Count == 0 ? "No alerts." : $"{alerts.Count} alert(s):");
        foreach (var alert in alerts)
        {
            body.AppendLine(c, $"- {alert.Kind}: {alert.Summary}");
        }

        var subject = alerts.Count == 0 ? "[ReplicaKeeper] daily report: all good" : $"[ReplicaKeeper] daily report: {alerts.Count} alert(s)";
        return new Notification(NotificationKind.DailyReport, subject, body.ToString(), snapshot.TakenAt);
    }
}

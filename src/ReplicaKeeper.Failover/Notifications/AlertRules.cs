using System.Globalization;
using ReplicaKeeper.Failover.Status;

namespace ReplicaKeeper.Failover.Notifications;

/// <summary>The immediate alert conditions, each a pure function of a status snapshot.</summary>
public static class AlertRules
{
    public static IReadOnlyList<Alert> Evaluate(StatusSnapshot snapshot, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(thresholds);
        return new[] { ArchiveLag(snapshot, thresholds), ArchiveStopped(snapshot), ArchiveGap(snapshot), ApplierStopped(snapshot), ApplierLag(snapshot, thresholds), DrillFailed(snapshot), SourceUnreachable(snapshot, thresholds) }
            .OfType<Alert>()
            .ToList();
    }

    public static Alert? ArchiveLag(StatusSnapshot snapshot, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (snapshot.Archive is not { } archive)
        {
            return null;
        }

        if (archive.LagSeconds is { } seconds && seconds > thresholds.MaxArchiveLagSeconds)
        {
            return new Alert(AlertKind.ArchiveLag, string.Create(CultureInfo.InvariantCulture, $"the archive is {seconds:0.0} s behind the master (threshold {thresholds.MaxArchiveLagSeconds:0.#} s); durable up to {archive.DurableFile}:{archive.DurableOffset}"));
        }

        if (archive.LagBytes is { } bytes && thresholds.MaxArchiveLagBytes is { } maxBytes && bytes > maxBytes)
        {
            return new Alert(AlertKind.ArchiveLag, string.Create(CultureInfo.InvariantCulture, $"the archive is {bytes} bytes behind the master (threshold {maxBytes})"));
        }

        return null;
    }

    public static Alert? ArchiveStopped(StatusSnapshot snapshot) =>
        snapshot?.Archive is { Running: false } archive
            ? new Alert(AlertKind.ArchiveStopped, $"the archiver is not running; durable up to {archive.DurableFile}:{archive.DurableOffset}")
            : null;

    public static Alert? ArchiveGap(StatusSnapshot snapshot) =>
        snapshot?.Archive is { Gaps.Count: > 0 } archive
            ? new Alert(AlertKind.ArchiveGap, $"the archive has {archive.Gaps.Count} gap(s): {string.Join("; ", archive.Gaps)}")
            : null;

    public static Alert? ApplierStopped(StatusSnapshot snapshot) =>
        snapshot?.Applier is { Running: false } applier
            ? new Alert(AlertKind.ApplierStopped, $"the standby applier stopped at {applier.AppliedPosition ?? "(no position)"}{(applier.LastError is null ? "" : ": " + applier.LastError)}")
            : null;

    public static Alert? ApplierLag(StatusSnapshot snapshot, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return snapshot?.Applier is { Running: true, LagSeconds: { } seconds } applier && thresholds.MaxApplierLagSeconds is { } max && seconds > max
            ? new Alert(AlertKind.ApplierLag, string.Create(CultureInfo.InvariantCulture, $"the standby is {seconds:0.0} s behind the source (threshold {max:0.#} s); applied up to {applier.AppliedPosition ?? "(no position)"}"))
            : null;
    }

    public static Alert? DrillFailed(StatusSnapshot snapshot) =>
        snapshot?.LastDrill is { Succeeded: false } drill
            ? new Alert(AlertKind.DrillFailed, $"the restore drill of {drill.FinishedAt.ToString("u", CultureInfo.InvariantCulture)} failed: {drill.Detail ?? "(no detail)"}")
            : null;

    public static Alert? SourceUnreachable(StatusSnapshot snapshot, AlertThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (snapshot.Archive is not { LinkDownSince: { } since } archive)
        {
            return null;
        }

        var seconds = (snapshot.TakenAt - since).TotalSeconds;
        return seconds > thresholds.MaxLinkDownSeconds
            ? new Alert(AlertKind.SourceUnreachable, string.Create(CultureInfo.InvariantCulture, $"the archiver has not reached the source for {seconds:0} s (threshold {thresholds.MaxLinkDownSeconds:0.#} s); durable up to {archive.DurableFile}:{archive.DurableOffset}"))
            : null;
    }
}

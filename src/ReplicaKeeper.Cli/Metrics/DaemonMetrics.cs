using System.Collections.Concurrent;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Failover.Status;

namespace ReplicaKeeper.Cli.Metrics;

/// <summary>
/// Everything the daemon knows about itself, shared by the hosted components (writers) and the HTTP endpoint,
/// the alert loop and the daily report (readers). <see cref="Snapshot"/> turns it into the /status document;
/// <see cref="PrometheusText"/> into /metrics.
/// </summary>
public sealed class DaemonMetrics(TimeProvider time)
{
    public const string Archiver = "archiver";
    public const string Standby = "standby";
    public const string Retention = "retention";
    public const string Verifier = "verifier";
    public const string Offsite = "offsite";
    public const string Snapshots = "snapshots";
    public const string Drills = "drills";
    public const string Notifier = "notifier";

    private readonly ConcurrentDictionary<string, ComponentHealth> _components = new(StringComparer.Ordinal);

    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public DateTimeOffset StartedAt { get; } = (time ?? TimeProvider.System).GetUtcNow();

    public bool PreviousRunCrashed { get; set; }

    /// <summary>Runs (before this one) that ended without a clean shutdown, as counted in the daemon's state directory.</summary>
    public long UncleanRestarts { get; set; }

    public bool ArchiveConfigured { get; set; }

    public bool StandbyConfigured { get; set; }

    /// <summary>The archiver's last reported state (state.json): durable end and the master's position.</summary>
    public ArchiveState? ArchiveState { get; set; }

    public double? ArchiveLagSeconds { get; set; }

    public long? ArchiveLagBytes { get; set; }

    public IReadOnlyList<string> ArchiveGaps { get; set; } = [];

    public DateTimeOffset? LastVerifyAt { get; set; }

    public bool? LastVerifyPassed { get; set; }

    public string? AppliedPosition { get; set; }

    public long? AppliedOffset { get; set; }

    public DateTimeOffset? LastAppliedAt { get; set; }

    /// <summary>Source commit time of the last transaction committed on the standby.</summary>
    public DateTimeOffset? AppliedSourceTime { get; set; }

    /// <summary>The standby applier's lag (<see cref="ApplierLag"/>); null while unknown.</summary>
    public double? ApplierLagSeconds { get; set; }

    /// <summary>Source transactions applied to the standby since the daemon started (all applier restarts).</summary>
    public long TransactionsApplied { get; set; }

    public double? ApplyRate { get; set; }

    public long SegmentsRetired { get; set; }

    public long SegmentsUploaded { get; set; }

    public DateTimeOffset? LastUploadAt { get; set; }

    public SnapshotStatusView? LastSnapshot { get; set; }

    public DrillStatusView? LastDrill { get; set; }

    public long NotificationsSent { get; set; }

    public long NotificationFailures { get; set; }

    public IReadOnlyList<string> ActiveAlerts { get; set; } = [];

    public ComponentHealth Component(string name) => _components.GetOrAdd(name, n => new ComponentHealth(n));

    public IReadOnlyList<ComponentHealth> Components => _components.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    /// <summary>The /status document.</summary>
    public StatusSnapshot Snapshot()
    {
        var now = Time.GetUtcNow();
        var errors = Components.Where(c => c.LastError is not null).Select(c => $"{c.Name}: {c.LastError}").ToList();
        ArchiveStatusView? archive = null;
        if (ArchiveConfigured)
        {
            var archiver = Component(Archiver);
            var durable = ArchiveState?.Durable;
            archive = new ArchiveStatusView(
                archiver.Up,
                durable?.File,
                durable?.Offset,
                durable?.Gtids,
                ArchiveLagSeconds,
                ArchiveLagBytes,
                ArchiveState?.UpdatedAt,
                ArchiveGaps)
            {
                LinkDownSince = archiver.LinkDownSince,
            };
        }

        ApplierStatusView? applier = null;
        if (StandbyConfigured)
        {
            var standby = Component(Standby);
            applier = new ApplierStatusView(standby.Up, AppliedPosition, ApplierLagSeconds, ApplyRate, LastAppliedAt, standby.Up ? null : standby.LastError);
        }

        return new StatusSnapshot(now, archive, applier, LastDrill, LastSnapshot, errors)
        {
            Daemon = new DaemonStatusView(StartedAt, typeof(DaemonMetrics).Assembly.GetName().Version?.ToString() ?? "0", PreviousRunCrashed, UncleanRestarts),
            Components = Components.Select(c => new ComponentStatusView(c.Name, c.Up, c.Since, c.Errors, c.Restarts, c.Reconnects, c.LinkFailures, c.LastError)).ToList(),
            ActiveAlerts = ActiveAlerts,
        };
    }
}

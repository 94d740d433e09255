using ReplicaKeeper.Archive;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Failover.Status;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Takes a snapshot of the standby into the archive when the newest one is older than the interval (so a restarted
/// daemon does not take one at every start), then applies the snapshot retention.
/// </summary>
internal sealed class SnapshotService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Snapshots, Min(config.Snapshots?.Interval ?? TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)), metrics, log, TimeSpan.FromSeconds(15))
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var settings = config.Snapshots ?? throw new InvalidOperationException("no snapshot schedule configured");
        var standby = config.Standby ?? throw new InvalidOperationException("snapshots need a standby");
        var layout = new ArchiveLayout(config.Archive.Directory);
        var newest = (await SnapshotCatalog.ReadAsync(layout, stoppingToken).ConfigureAwait(false)).MaxBy(s => s.TakenAt);
        if (newest is not null)
        {
            Metrics.LastSnapshot = View(newest);
            if (Metrics.Time.GetUtcNow() - newest.TakenAt < settings.Interval)
            {
                return;
            }
        }

        var taken = await new SnapshotTaker(layout, config.Archive.Key).TakeAsync(
            new SnapshotOptions { StandbyConnectionString = standby.ConnectionStringWithSecret, Channel = standby.Channel, Logger = Log },
            null,
            stoppingToken).ConfigureAwait(false);
        Metrics.LastSnapshot = View(taken);
        Log.Information("Snapshot {Snapshot}", taken.ToString());
        if (settings.KeepNewest is not null || settings.MaxAge is not null)
        {
            var dropped = await new SnapshotRetention(settings.KeepNewest, settings.MaxAge).ApplyAsync(layout, Metrics.Time, stoppingToken).ConfigureAwait(false);
            if (dropped.Count > 0)
            {
                Log.Information("Snapshot retention removed {Count} snapshot(s)", dropped.Count);
            }
        }
    }

    private static SnapshotStatusView View(SnapshotInfo snapshot) => new(snapshot.TakenAt, snapshot.Position.ToString(), snapshot.StoredSize);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

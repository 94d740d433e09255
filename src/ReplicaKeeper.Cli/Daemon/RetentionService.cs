using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Archive retention by age/size, pinned by the snapshots (a snapshot needs every segment from its position on) and,
/// when configured, by the off-site copy (nothing is deleted locally before it is off-site).
/// </summary>
internal sealed class RetentionService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Retention, config.Archive.RetentionInterval, metrics, log, TimeSpan.FromSeconds(30))
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (config.Archive.Retention is not { } policy)
        {
            return;
        }

        var layout = new ArchiveLayout(config.Archive.Directory);
        var pins = new List<IRetentionPin> { new SnapshotRetentionPin(layout) };
        if (config.Archive.Offsite is { } offsite)
        {
            pins.Add(new OffsiteRetentionPin(layout, offsite.Target));
        }

        var plan = await new ArchiveRetention(layout, policy, pins, Metrics.Time).ApplyAsync(stoppingToken).ConfigureAwait(false);
        Metrics.SegmentsRetired += plan.Delete.Count;
        if (plan.Delete.Count > 0)
        {
            Log.Information("Retention deleted {Count} sealed segment(s) ({First} .. {Last}); {Kept}", plan.Delete.Count, plan.Delete[0], plan.Delete[^1], plan.KeptBecause);
        }
    }
}

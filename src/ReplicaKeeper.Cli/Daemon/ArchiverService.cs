using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>The live archiver (<see cref="LiveArchiver"/>: segments fsynced per transaction, sealing in the background).</summary>
internal sealed class ArchiverService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : SupervisedComponent(DaemonMetrics.Archiver, metrics, log)
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var layout = new ArchiveLayout(config.Archive.Directory);
        layout.EnsureCreated();
        var replication = new ReplicationOptions
        {
            Connection = config.Source.Connection,
            HeartbeatInterval = config.Source.Heartbeat,
            SemiSyncAck = config.Source.SemiSyncAck,
            Logger = Log,
            LinkObserver = new ComponentLinkObserver(Health, Metrics.Time),
        };
        if (config.Source.ServerId is { } id)
        {
            replication = replication with { ServerId = id };
        }

        await LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = layout,
            Replication = replication,
            Key = config.Archive.Key,
            StartFile = config.Archive.StartFile,
            Logger = Log,
        }, stoppingToken).ConfigureAwait(false);
    }
}

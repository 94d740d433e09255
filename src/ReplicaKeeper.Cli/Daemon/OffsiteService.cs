using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>Copies newly sealed segments and the manifest to the S3-compatible off-site store (<see cref="OffsiteUploader"/>).</summary>
internal sealed class OffsiteService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Offsite, config.Archive.OffsiteInterval, metrics, log, TimeSpan.FromSeconds(5))
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var options = config.Archive.Offsite ?? throw new InvalidOperationException("no off-site store configured");
        var layout = new ArchiveLayout(config.Archive.Directory);
        if (!File.Exists(layout.ManifestPath))
        {
            return;
        }

        using var store = new S3OffsiteStore(options);
        var result = await new OffsiteUploader(layout, store, Log).UploadAsync(stoppingToken).ConfigureAwait(false);
        Metrics.SegmentsUploaded += result.Uploaded.Count;
        Metrics.LastUploadAt = Metrics.Time.GetUtcNow();
    }
}

using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Verification;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>Verifies the whole archive on a schedule (hash chain, segment hashes, continuity); problems feed the ArchiveGap alert.</summary>
internal sealed class VerifyService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Verifier, config.Archive.VerifyInterval, metrics, log, TimeSpan.FromSeconds(10))
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var layout = new ArchiveLayout(config.Archive.Directory);
        if (!File.Exists(layout.ManifestPath))
        {
            return; // nothing sealed yet
        }

        var report = await new ArchiveVerifier(layout, config.Archive.Key).VerifyAsync(stoppingToken).ConfigureAwait(false);
        Metrics.LastVerifyAt = Metrics.Time.GetUtcNow();
        Metrics.LastVerifyPassed = report.IsValid;
        Metrics.ArchiveGaps = report.Problems.Select(p => p.ToString() ?? "").ToList();
        if (!report.IsValid)
        {
            Log.Error("Archive verification found {Count} problem(s): {Problems}", report.Problems.Count, Metrics.ArchiveGaps);
        }
    }
}

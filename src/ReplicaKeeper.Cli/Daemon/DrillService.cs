using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Failover.Status;
using ReplicaKeeper.Restore.Drill;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Runs a restore drill (<see cref="DrillRunner"/>: restore the archive into the scratch instance up to the standby's
/// position and compare checksums) every <see cref="DrillsConfig.Interval"/>; the verdict feeds /status, /metrics and
/// the DrillFailed alert. The first drill runs one interval after start, so restarts do not trigger drills.
/// </summary>
internal sealed class DrillService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Drills, config.Drills?.Interval ?? TimeSpan.FromDays(7), metrics, log, config.Drills?.Interval ?? TimeSpan.FromDays(7))
{
    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var drills = config.Drills ?? throw new InvalidOperationException("no drill schedule configured");
        var standby = config.Standby ?? throw new InvalidOperationException("drills need a standby");
        var result = await new DrillRunner(new DrillOptions
        {
            ArchiveDirectory = config.Archive.Directory,
            Key = config.Archive.Key,
            ScratchConnectionString = drills.ScratchConnectionStringWithSecret,
            CompareConnectionString = standby.ConnectionStringWithSecret,
            Channel = standby.Channel,
            UseSnapshots = drills.UseSnapshots,
            ReportDirectory = drills.ReportDirectory,
            Logger = Log,
        }).RunAsync(stoppingToken).ConfigureAwait(false);
        var passed = result.Verdict == DrillVerdict.Passed;
        Metrics.LastDrill = new DrillStatusView(result.StartedAt + result.Duration, passed, $"{result.Verdict}: {result.Summary}");
        if (passed)
        {
            Log.Information("Restore drill passed in {Duration}: {Summary}", result.Duration, result.Summary);
        }
        else
        {
            Log.Error("Restore drill failed ({Verdict}): {Summary}", result.Verdict, result.Summary);
        }
    }
}

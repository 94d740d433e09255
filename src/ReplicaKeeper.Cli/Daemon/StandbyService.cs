using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Apply;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>The standby applier (<see cref="StandbyApplier"/>: exactly once via replicakeeper.applied_position).</summary>
internal sealed class StandbyService(DaemonConfig config, DaemonMetrics metrics, Serilog.ILogger log)
    : SupervisedComponent(DaemonMetrics.Standby, metrics, log)
{
    private long _previousRuns;
    private StandbyApplier? _current;

    /// <summary>Transactions applied by every applier run of this daemon.</summary>
    public long TransactionsApplied => Interlocked.Read(ref _previousRuns) + (Volatile.Read(ref _current)?.TransactionsApplied ?? 0);

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var standby = config.Standby ?? throw new InvalidOperationException("no standby configured");
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = config.Source.ConnectionStringWithSecret,
            TargetConnectionString = standby.ConnectionStringWithSecret,
            Channel = standby.Channel,
            OnConflict = standby.OnConflict,
            ServerId = standby.ServerId,
            LinkObserver = new ComponentLinkObserver(Health, Metrics.Time),
            Logger = Log,
        });
        Volatile.Write(ref _current, applier);

        try
        {
            await applier.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _previousRuns, applier.TransactionsApplied);
            Volatile.Write(ref _current, null);
        }
    }
}

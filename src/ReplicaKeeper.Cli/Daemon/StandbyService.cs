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
    private long _previousSourceTicks; // UTC ticks of the last run's LastCommittedSourceTime (0: none), read by the monitor

    /// <summary>Transactions applied by every applier run of this daemon.</summary>
    public long TransactionsApplied => Interlocked.Read(ref _previousRuns) + (Volatile.Read(ref _current)?.TransactionsApplied ?? 0);

    /// <summary>Source commit time of the last transaction the standby committed (any run).</summary>
    public DateTimeOffset? LastCommittedSourceTime => Volatile.Read(ref _current)?.LastCommittedSourceTime
        ?? (Interlocked.Read(ref _previousSourceTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    /// <summary>The running applier has applied everything the source sent and waits for more.</summary>
    public bool IsCaughtUp => Volatile.Read(ref _current)?.IsCaughtUp ?? false;

    /// <summary>Source time of the oldest event the running applier has read but not applied.</summary>
    public DateTimeOffset? OldestPendingSourceTime => Volatile.Read(ref _current)?.OldestPendingSourceTime;

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
            if (applier.LastCommittedSourceTime is { } sourceTime)
            {
                Interlocked.Exchange(ref _previousSourceTicks, sourceTime.UtcTicks);
            }
            Volatile.Write(ref _current, null);
        }
    }
}

using System.Threading.Channels;
using MySqlConnector;
using Polly;
using Polly.Retry;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Keeps a standby in step with its source: the source's live replication stream (<see cref="ReplicaClient"/>) fed
/// into an <see cref="EventApplier"/>, which applies each source transaction exactly once (data and
/// <c>replicakeeper.applied_position</c> in one commit), so after a crash the standby resumes from exactly what it
/// committed. Standby connection failures are retried (Polly) with a new session that starts from the standby's
/// position table; the source connection resumes on its own (ReplicaClient).
/// </summary>
public sealed class StandbyApplier(StandbyOptions options)
{
    /// <summary>Events read ahead of the applier.</summary>
    private const int ReadAhead = 4096;

    private const long NoPending = long.MinValue;

    private readonly StandbyOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly Serilog.ILogger _log = options.Logger;
    private long _earlierSessions;
    private EventApplier? _session;
    private long _earlierSourceTicks = NoPending; // UTC ticks, read from other threads
    private volatile bool _caughtUp;
    private long _oldestPendingSeconds = NoPending;

    /// <summary>Source transactions committed on the standby by this instance (all sessions).</summary>
    public long TransactionsApplied => Interlocked.Read(ref _earlierSessions) + (_session?.TransactionsApplied ?? 0);

    /// <summary>When the last source transaction the standby committed was committed on the source (see <see cref="EventApplier.LastCommittedSourceTime"/>).</summary>
    public DateTimeOffset? LastCommittedSourceTime =>
        _session?.LastCommittedSourceTime ?? (Interlocked.Read(ref _earlierSourceTicks) is var ticks && ticks != NoPending ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    /// <summary>
    /// True while the applier has applied and committed everything the source sent and waits for more (its read-ahead
    /// queue is drained); false while events wait to be applied, and while no session runs. A link failure also leaves
    /// the queue drained: check the link as well.
    /// </summary>
    public bool IsCaughtUp => _caughtUp;

    /// <summary>Header time (seconds) of the oldest source event read ahead but not yet applied, when one waits.</summary>
    public DateTimeOffset? OldestPendingSourceTime =>
        Interlocked.Read(ref _oldestPendingSeconds) is var seconds && seconds != NoPending ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Applies until cancelled (or, with <see cref="StandbyOptions.StopAtEnd"/>, until the source's binlog end).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _options.Validate();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MySqlException>(EventApplier.IsTargetUnavailable),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    _log.Warning(args.Outcome.Exception, "Standby unavailable; retrying in {Delay} (attempt {Attempt})", args.RetryDelay, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await pipeline.ExecuteAsync(async token => await RunSessionAsync(token).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    private async Task RunSessionAsync(CancellationToken ct)
    {
        var target = new EventApplierOptions
        {
            TargetConnectionString = _options.TargetConnectionString,
            Channel = _options.Channel,
            OnConflict = _options.OnConflict,
            StartPosition = _options.StartPosition,
            MaxTransactionsPerCommit = _options.MaxTransactionsPerCommit,
            BatchStatements = _options.BatchStatements,
            Logger = _log,
        };
        var applier = await EventApplier.OpenAsync(target, ct).ConfigureAwait(false);
        await using (applier.ConfigureAwait(false))
        {
            _session = applier;
            try
            {
                var start = applier.StartingPoint?.Position ?? _options.StartPosition
                    ?? throw new StandbyApplyException($"The standby has no applied position for channel '{_options.Channel}': seed it with `replicakeeper standby init` first (or give a start position).");
                await StreamAsync(applier, start, ct).ConfigureAwait(false);
            }
            finally
            {
                _session = null;
                _caughtUp = false;
                if (applier.LastCommittedSourceTime is { } sourceTime)
                {
                    Interlocked.Exchange(ref _earlierSourceTicks, sourceTime.UtcTicks);
                }

                Interlocked.Add(ref _earlierSessions, applier.TransactionsApplied);
            }
        }
    }

    private async Task StreamAsync(EventApplier applier, StandbyPosition start, CancellationToken ct)
    {
        var replication = new ReplicationOptions
        {
            Connection = ConnectionOptions.Parse(_options.SourceConnectionString),
            StopAtEnd = _options.StopAtEnd,
            LinkObserver = _options.LinkObserver,
            Logger = _log,
        };
        if (_options.ServerId is { } serverId)
        {
            replication = replication with { ServerId = serverId };
        }

        var client = new ReplicaClient(replication);
        _log.Information("Standby channel {Channel} starting at {Position}", _options.Channel, start);

        // the stream is read ahead into a bounded queue; whenever the applier has drained it, the group commit is
        // committed, so a quiet source never leaves applied transactions uncommitted
        var queue = Channel.CreateBounded<ReplicationEvent>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = ReadStreamAsync(client.OpenStream(ToCheckpoint(start, applier.Flavor)), queue.Writer, stop.Token);
        try
        {
            while (await queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (queue.Reader.TryRead(out var item))
                {
                    await applier.HandleAsync(item, ct).ConfigureAwait(false);
                }

                await applier.FlushAsync(ct).ConfigureAwait(false);
                if (queue.Reader.Count == 0)
                {
                    Interlocked.Exchange(ref _oldestPendingSeconds, NoPending);
                    _caughtUp = true;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // stopped because the applier stopped
            }
        }

        await reader.ConfigureAwait(false); // the stream's own failure, if it ended with one
        await applier.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task ReadStreamAsync(IAsyncEnumerable<ReplicationEvent> stream, ChannelWriter<ReplicationEvent> writer, CancellationToken ct)
    {
        try
        {
            await foreach (var item in stream.WithCancellation(ct).ConfigureAwait(false))
            {
                if (item is { Kind: ReplicationEventKind.Event, IsArtificial: false } && item.Event.Header.Timestamp > 0)
                {
                    Interlocked.CompareExchange(ref _oldestPendingSeconds, item.Event.Header.Timestamp, NoPending);
                    _caughtUp = false;
                }

                await writer.WriteAsync(item, ct).ConfigureAwait(false);
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    private static ReplicationCheckpoint ToCheckpoint(StandbyPosition position, ServerFlavor flavor)
    {
        // a standby has the source's flavour: prefer that flavour's GTIDs when the position carries both
        if (flavor == ServerFlavor.MariaDb && position.MariaDbGtids is { } mariaDb)
        {
            return ReplicationCheckpoint.FromMariaDbGtids(mariaDb);
        }

        if (position.MySqlGtids is { } gtids)
        {
            return ReplicationCheckpoint.FromGtidSet(gtids);
        }

        if (position.MariaDbGtids is { } list)
        {
            return ReplicationCheckpoint.FromMariaDbGtids(list);
        }

        return ReplicationCheckpoint.FromPosition(position.File ?? throw new StandbyApplyException("The applied position is empty."));
    }
}

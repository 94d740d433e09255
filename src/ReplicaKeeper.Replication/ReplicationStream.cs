using System.Runtime.CompilerServices;
using Polly;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication.Internal;

namespace ReplicaKeeper.Replication;

/// <summary>
/// A live binlog stream from one source, consumed with <c>await foreach</c> (once). Reads the next
/// packet only when the consumer asks for the next event (back-pressure; nothing is queued), verifies
/// every event's CRC32, survives link failures by reconnecting at the last transaction boundary
/// (see <see cref="ReplicationEvent"/> for the delivery contract) and reports three positions:
/// <see cref="Received"/> (last event read), <see cref="Completed"/> (after the last complete
/// transaction received) and <see cref="Durable"/> (what the consumer said it has made durable).
/// </summary>
public sealed class ReplicationStream : IAsyncEnumerable<ReplicationEvent>
{
    private readonly ReplicationOptions _options;
    private readonly SourceConnector _connect;
    private readonly ResiliencePipeline _pipeline;
    private readonly TransactionTracker _tracker;
    private readonly ReplayFilter _replay = new();
    private readonly LinkNotifier _link;
    private ReplicationCheckpoint? _durable;
    private TaskCompletionSource _durableAdvanced = NewSignal();
    private PendingAck? _pendingAck;
    private bool _ackRequested;
    private long _acksSent;
    private SourceSession? _session;
    private BinlogEventDecoder? _decoder;
    private ReplicationEvent? _inFlightFirst;
    private string _file;
    private int _enumerated;
    private bool _reconnectRequested;
    private int _sessions;
    private long _heartbeats;
    private long _events;
    private long _skipped;

    internal ReplicationStream(ReplicationOptions options, SourceConnector connect, ReplicationCheckpoint start)
    {
        _options = options;
        _connect = connect;
        _link = new LinkNotifier(options.LinkObserver, options.Logger);
        _pipeline = ReplicationRetryPolicy.Create(options.Reconnect, options.Logger, _link.Reconnecting);
        _tracker = new TransactionTracker(start);
        Start = start;
        _file = start.Position?.File ?? "";
    }

    /// <summary>Where the stream was asked to start.</summary>
    public ReplicationCheckpoint Start { get; }

    /// <summary>Position just past the last event received (including heartbeats), when known.</summary>
    public BinlogPosition? Received { get; private set; }

    /// <summary>Checkpoint after the last complete transaction received: where a reconnect resumes.</summary>
    public ReplicationCheckpoint Completed => _tracker.Completed;

    /// <summary>The last checkpoint the consumer reported durable with <see cref="MarkDurable"/> (null until then).</summary>
    public ReplicationCheckpoint? Durable => Volatile.Read(ref _durable);

    /// <summary>True while the current session receives semi-sync headers (<see cref="ReplicationOptions.SemiSyncAck"/> and a semi-sync source).</summary>
    public bool SemiSyncActive => _session?.SemiSyncHeaders == true;

    /// <summary>Semi-sync ACKs sent to the source so far.</summary>
    public long SemiSyncAcksSent => Interlocked.Read(ref _acksSent);

    /// <summary>Reconnects so far (sessions opened after the first).</summary>
    public int Reconnects => Math.Max(0, Volatile.Read(ref _sessions) - 1);

    /// <summary>Events of open transactions that the source re-sent after a reconnect and that were skipped (already delivered).</summary>
    public long ResentEventsSkipped => Interlocked.Read(ref _skipped);

    public long HeartbeatsReceived => Interlocked.Read(ref _heartbeats);

    public long EventsReceived => Interlocked.Read(ref _events);

    /// <summary>
    /// The consumer has made everything up to <paramref name="checkpoint"/> durable (archived, fsynced, applied); may be
    /// called from any thread. With <see cref="ReplicationOptions.SemiSyncAck"/>, an event the source flagged is
    /// acknowledged once a checkpoint whose <see cref="ReplicationCheckpoint.Position"/> is at or past it is marked
    /// durable (e.g. <c>ReplicationCheckpoint.FromPosition(durableFileAndOffset)</c>). Otherwise only recorded: a
    /// restart resumes from what the consumer persisted.
    /// </summary>
    public void MarkDurable(ReplicationCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Volatile.Write(ref _durable, checkpoint);
        Interlocked.Exchange(ref _durableAdvanced, NewSignal()).TrySetResult();
    }

    public IAsyncEnumerator<ReplicationEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A replication stream can be enumerated once; open a new one to start again.");
        }

        return RunAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<ReplicationEvent> RunAsync([EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            while (true)
            {
                byte[]? raw = await ReadWithRetryAsync(ct).ConfigureAwait(false);
                if (raw is null)
                {
                    yield break;
                }

                var item = Process(raw);
                if (item is not null)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            if (_session is not null)
            {
                await CloseSessionAsync().ConfigureAwait(false);
                _link.Disconnected(new ReplicationDisconnected("The replication stream was closed.", null, WasConnected: true, Transient: false));
            }

            _decoder?.Dispose();
        }
    }

    private async ValueTask<byte[]?> ReadWithRetryAsync(CancellationToken ct)
    {
        try
        {
            return await _pipeline.ExecuteAsync(static (self, token) => self.ReadNextAsync(token), this, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ReplicationRetryPolicy.IsTransient(e) && !ct.IsCancellationRequested)
        {
            throw new ReplicationException(
                ReplicationErrorKind.Unreachable,
                $"Lost the source {_options.Connection.Host}:{_options.Connection.Port} and could not reconnect " +
                $"after {_options.Reconnect.MaxAttempts} attempt(s): {e.Message}. Resume from {Completed}.",
                e);
        }
    }

    /// <summary>One read, reconnecting first if needed. Any failure closes the session so the next attempt reconnects.</summary>
    private async ValueTask<byte[]?> ReadNextAsync(CancellationToken ct)
    {
        try
        {
            if (_reconnectRequested)
            {
                _reconnectRequested = false;
                await CloseSessionAsync().ConfigureAwait(false);
                _link.Disconnected(new ReplicationDisconnected(
                    "Reconnecting to re-read the open transaction, which the source did not re-send.", null, WasConnected: true, Transient: true));
            }

            if (_session is null)
            {
                await OpenSessionAsync(ct).ConfigureAwait(false);
            }

            if (_pendingAck is { } ack)
            {
                // the source restarted its packet numbering after the flagged event: nothing may be read before the ACK
                await AcknowledgeAsync(ack, ct).ConfigureAwait(false);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(_options.DeadLinkTimeout);
            (PacketKind Kind, ReadOnlyMemory<byte> Event, bool AckRequested) read;
            try
            {
                read = await _session!.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new DeadLinkException(
                    $"No event and no heartbeat from the source for {_options.DeadLinkTimeout.TotalSeconds:0.###} s " +
                    $"({_options.DeadLinkHeartbeats} heartbeat intervals): the link is dead.", e);
            }

            if (read.Kind == PacketKind.EndOfStream)
            {
                if (_options.StopAtEnd)
                {
                    return null;
                }

                throw new MySqlConnectionClosedException("The source ended the binlog stream.");
            }

            _ackRequested = read.AckRequested;
            return read.Event.ToArray();
        }
        catch (Exception e)
        {
            var wasConnected = _session is not null;
            await CloseSessionAsync().ConfigureAwait(false);
            if (!ct.IsCancellationRequested)
            {
                _link.Disconnected(new ReplicationDisconnected(e.Message, e, wasConnected, ReplicationRetryPolicy.IsTransient(e)));
            }

            throw;
        }
    }

    private async ValueTask OpenSessionAsync(CancellationToken ct)
    {
        var from = _tracker.Completed;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (_options.Connection.ConnectionTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(_options.Connection.ConnectionTimeout + _options.DeadLinkTimeout);
        }

        try
        {
            _session = await SourceSession.OpenAsync(_connect, _options, from, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException("Setting up the replication connection timed out.", e);
        }

        _decoder?.Dispose();
        _decoder = new BinlogEventDecoder(new BinlogDecoderOptions
        {
            InitialChecksum = _session.Checksum.Equals("CRC32", StringComparison.OrdinalIgnoreCase) ? ChecksumAlgorithm.Crc32 : ChecksumAlgorithm.None,
        });
        _tracker.ResetInFlight();
        _file = from.Position?.File ?? _file;
        _replay.StartReplay();
        var sessions = Interlocked.Increment(ref _sessions);
        if (sessions > 1)
        {
            _options.Logger.Information(
                "Reconnected to the source; resuming from {Checkpoint} (skipping {Replayed} already delivered event(s) of the open transaction)",
                from.ToString(), _replay.Replaying ? "the" : "no");
        }

        _link.Connected(new ReplicationConnected(
            $"{_options.Connection.Host}:{_options.Connection.Port}", _session.ServerVersion, _session.IsMariaDb, from, sessions, _options.SemiSyncAck));
    }

    private async ValueTask CloseSessionAsync()
    {
        var session = _session;
        _session = null;
        _pendingAck = null;
        if (session is not null)
        {
            try
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // the connection is already gone
            }
        }
    }

    /// <summary>Decodes, tracks and filters one event; null when it is a re-sent, already delivered one.</summary>
    private ReplicationEvent? Process(byte[] raw)
    {
        Interlocked.Increment(ref _events);
        EventHeader header;
        BinlogEvent decoded;
        var file = _file;
        ulong? next = null;
        ulong? offset = null;
        try
        {
            header = EventHeader.Read(raw);
            next = header.NextPosition != 0 ? header.NextPosition : null;
            var artificialHeader = header.IsArtificial || next is null;
            offset = !artificialHeader && next >= header.EventSize ? next - header.EventSize : null;
            decoded = _decoder!.Decode(raw, file, offset is { } o ? (long)o : -1);
        }
        catch (BinlogFormatException e)
        {
            throw new ReplicationException(ReplicationErrorKind.CorruptEvent, $"Received a corrupt event from the source: {e.Message}", e);
        }

        if (decoded is RotateEvent rotate)
        {
            _file = rotate.NextFile;
            if (rotate.IsFake)
            {
                file = rotate.NextFile;
            }
        }

        if (decoded is HeartbeatEvent heartbeat)
        {
            Interlocked.Increment(ref _heartbeats);
            if (heartbeat.LogFileName.Length > 0)
            {
                _file = heartbeat.LogFileName;
                file = _file;
            }

            var heartbeatNext = heartbeat.LogPosition != 0 ? heartbeat.LogPosition : next;
            if (heartbeatNext is { } hb)
            {
                Received = new BinlogPosition(file, hb);
            }

            return NewEvent(ReplicationEventKind.Heartbeat, decoded, raw, file, null, heartbeatNext, artificial: true, default);
        }

        if (next is { } n && file.Length > 0)
        {
            Received = new BinlogPosition(file, n);
        }

        var before = _tracker.Completed;
        var role = _tracker.Apply(decoded, file, next);
        if (_ackRequested)
        {
            // acknowledged before the next read: once durable when it ends a transaction (it always does with
            // MySQL/MariaDB), else with what is durable already (keeps the packet numbering in step, confirms nothing new)
            _pendingAck = new PendingAck(new BinlogPosition(file, next ?? BinlogPosition.FirstEventOffset), role.Completes);
        }

        if (role.IsMember)
        {
            switch (_replay.Check(raw, next))
            {
                case ReplayMatch.Skip:
                    Interlocked.Increment(ref _skipped);
                    return null;
                case ReplayMatch.Mismatch:
                    return Abort(before);
                default:
                    break;
            }

            if (role.Completes)
            {
                _replay.Clear();
                _inFlightFirst = null;
            }
            else
            {
                _replay.Yielded(raw, next);
            }
        }
        else if (_replay.Replaying && IsTransactionStart(decoded))
        {
            return Abort(before);
        }

        var item = NewEvent(ReplicationEventKind.Event, decoded, raw, file, offset, next, header.IsArtificial || next is null, role);
        if (role.IsMember && !role.Completes && _inFlightFirst is null)
        {
            _inFlightFirst = item;
        }

        return item;
    }

    private async ValueTask AcknowledgeAsync(PendingAck ack, CancellationToken ct)
    {
        var position = ack.Position;
        if (ack.WhenDurable)
        {
            await WaitUntilDurableAsync(position, ct).ConfigureAwait(false);
        }
        else
        {
            position = Durable?.Position is { } durable && durable.File == position.File && durable < position
                ? durable
                : new BinlogPosition(position.File, BinlogPosition.FirstEventOffset);
        }

        await _session!.AcknowledgeAsync(position, ct).ConfigureAwait(false);
        _pendingAck = null;
        Interlocked.Increment(ref _acksSent);
    }

    private async ValueTask WaitUntilDurableAsync(BinlogPosition position, CancellationToken ct)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            var advanced = Volatile.Read(ref _durableAdvanced).Task;
            if (Durable?.Position is { } durable && durable >= position)
            {
                return;
            }

            try
            {
                await advanced.WaitAsync(_options.DeadLinkTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                waited += _options.DeadLinkTimeout;
                _options.Logger.Warning(
                    "Semi-sync: still waiting after {Waited} for {Position} to be marked durable before acknowledging it (the source waits too)",
                    waited, position.ToString());
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A semi-sync ACK owed to the source for the event ending at <see cref="Position"/>.</summary>
    private readonly record struct PendingAck(BinlogPosition Position, bool WhenDurable);

    private static bool IsTransactionStart(BinlogEvent e) => e is GtidEvent or MariaDbGtidEvent;

    /// <summary>
    /// The re-sent transaction differs from what was delivered: tell the consumer the open transaction
    /// is aborted, and reconnect from the boundary to deliver what comes instead from its first event.
    /// </summary>
    private ReplicationEvent Abort(ReplicationCheckpoint before)
    {
        var first = _inFlightFirst;
        _tracker.Restore(before);
        _replay.Clear();
        _replay.CancelReplay();
        _inFlightFirst = null;
        _reconnectRequested = true;
        _options.Logger.Warning(
            "The source did not re-send the open transaction {Gtid} after reconnecting; it is reported aborted",
            first?.TransactionGtid);
        return new ReplicationEvent
        {
            Kind = ReplicationEventKind.TransactionAborted,
            Event = first?.Event ?? new UnknownEvent(default, ReadOnlyMemory<byte>.Empty),
            RawBytes = ReadOnlyMemory<byte>.Empty,
            File = first?.File ?? _file,
            Offset = first?.Offset,
            NextOffset = first?.NextOffset,
            IsArtificial = true,
            TransactionGtid = first?.TransactionGtid,
            Checkpoint = _tracker.Completed,
        };
    }

    private ReplicationEvent NewEvent(
        ReplicationEventKind kind, BinlogEvent decoded, byte[] raw, string file, ulong? offset, ulong? next, bool artificial, TransactionRole role) =>
        new()
        {
            Kind = kind,
            Event = decoded,
            RawBytes = raw,
            File = file,
            Offset = offset,
            NextOffset = next,
            IsArtificial = artificial,
            TransactionGtid = role.Gtid,
            CompletesTransaction = role.Completes,
            Checkpoint = _tracker.Completed,
        };
}

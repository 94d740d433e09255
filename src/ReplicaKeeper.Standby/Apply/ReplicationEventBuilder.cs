using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Turns binlog events read from anywhere other than a live stream (binlog files, archived segments) into the
/// <see cref="ReplicationEvent"/>s an <see cref="EventApplier"/> takes: each event gets its transaction's GTID,
/// <see cref="ReplicationEvent.CompletesTransaction"/> on the transaction's last event, and the checkpoint after the
/// last complete transaction (in the identity of the start checkpoint: GTID set, MariaDB GTID list or file/offset).
/// Transaction boundaries: a MySQL GTID event (or a MariaDB one) starts a transaction; BEGIN opens a multi-event
/// one that XID, COMMIT, ROLLBACK, XA PREPARE or a TRANSACTION_PAYLOAD ends; a statement right after a GTID without
/// BEGIN (DDL, a MariaDB standalone GTID) is a one-statement transaction. Feed the events of one source in order.
/// </summary>
public sealed class ReplicationEventBuilder(ReplicationCheckpoint start)
{
    private bool _inTransaction;
    private bool _openedWithBegin;
    private Gtid? _mySqlGtid;
    private MariaDbGtid? _mariaDbGtid;
    private string? _gtidText;

    /// <summary>The checkpoint after the last complete transaction seen.</summary>
    public ReplicationCheckpoint Completed { get; private set; } = start ?? throw new ArgumentNullException(nameof(start));

    /// <summary>True while the events seen so far end inside a transaction.</summary>
    public bool InTransaction => _inTransaction;

    /// <summary>The event at <paramref name="position"/>..<paramref name="endPosition"/> of <paramref name="file"/> as a replication event.</summary>
    /// <param name="file">The binlog file name the event is in (as the source names it, e.g. "bin.000003").</param>
    /// <param name="position">Offset of the event in the file.</param>
    /// <param name="endPosition">Offset just past the event.</param>
    /// <param name="binlogEvent">The decoded event.</param>
    /// <param name="rawBytes">The event's exact bytes (may be empty when the consumer does not need them).</param>
    public ReplicationEvent Next(string file, long position, long endPosition, BinlogEvent binlogEvent, ReadOnlyMemory<byte> rawBytes)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(binlogEvent);
        var (member, completes) = Classify(binlogEvent);
        var gtid = member ? _gtidText : null;
        if (completes)
        {
            Complete(file, endPosition);
        }

        return new ReplicationEvent
        {
            Kind = ReplicationEventKind.Event,
            Event = binlogEvent,
            RawBytes = rawBytes,
            File = file,
            Offset = (ulong)position,
            NextOffset = (ulong)endPosition,
            TransactionGtid = gtid,
            CompletesTransaction = completes,
            Checkpoint = Completed,
        };
    }

    private (bool Member, bool Completes) Classify(BinlogEvent e)
    {
        switch (e)
        {
            case GtidEvent gtid:
                Begin(openedWithBegin: false);
                _mySqlGtid = gtid.IsAnonymous ? null : new Gtid(gtid.SourceId, gtid.Tag, gtid.Gno);
                _gtidText = _mySqlGtid?.ToString();
                return (true, false);
            case MariaDbGtidEvent gtid:
                Begin(openedWithBegin: !gtid.IsStandalone);
                _mariaDbGtid = new MariaDbGtid(gtid.DomainId, gtid.Header.ServerId, gtid.SequenceNumber);
                _gtidText = _mariaDbGtid.ToString();
                return (true, false);
            case QueryEvent query:
                return ClassifyQuery(query);
            case XidEvent or XaPrepareEvent or TransactionPayloadEvent:
                if (!_inTransaction)
                {
                    Begin(openedWithBegin: true);
                }

                return (true, true);
            case FormatDescriptionEvent or PreviousGtidsEvent or MariaDbGtidListEvent or MariaDbBinlogCheckpointEvent
                or RotateEvent or HeartbeatEvent or StopEvent or MariaDbStartEncryptionEvent:
                return (false, false);
            default:
                return (_inTransaction, false);
        }
    }

    private (bool Member, bool Completes) ClassifyQuery(QueryEvent query)
    {
        var text = query.Query.AsSpan().TrimStart();
        var opens = query.IsBegin || text.StartsWith("XA START", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA BEGIN", StringComparison.OrdinalIgnoreCase);
        if (!_inTransaction)
        {
            Begin(openedWithBegin: opens);
            return (true, !opens);
        }

        if (!_openedWithBegin)
        {
            _openedWithBegin = opens;
            return (true, !opens); // the one statement after a GTID without BEGIN: DDL, XA COMMIT/ROLLBACK
        }

        var ends = query.IsCommit || query.IsRollback || text.StartsWith("XA PREPARE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA COMMIT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA ROLLBACK", StringComparison.OrdinalIgnoreCase);
        return (true, ends);
    }

    private void Begin(bool openedWithBegin)
    {
        _inTransaction = true;
        _openedWithBegin = openedWithBegin;
        _mySqlGtid = null;
        _mariaDbGtid = null;
        _gtidText = null;
    }

    private void Complete(string file, long endPosition)
    {
        Completed = Completed.Mode switch
        {
            ReplicationMode.MySqlGtid when _mySqlGtid is { } gtid => ReplicationCheckpoint.FromGtidSet((Completed.GtidSet ?? GtidSet.Empty).Add(gtid)),
            ReplicationMode.MariaDbGtid when _mariaDbGtid is { } gtid => ReplicationCheckpoint.FromMariaDbGtids((Completed.MariaDbGtids ?? MariaDbGtidList.Empty).With(gtid)),
            ReplicationMode.Position => ReplicationCheckpoint.FromPosition(new BinlogPosition(file, (ulong)endPosition)),
            _ => Completed,
        };
        Begin(openedWithBegin: false);
        _inTransaction = false;
    }
}

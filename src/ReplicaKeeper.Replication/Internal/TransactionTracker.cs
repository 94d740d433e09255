using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Replication.Internal;

/// <summary>How one event relates to transaction boundaries.</summary>
internal readonly record struct TransactionRole(bool IsMember, bool Completes, string? Gtid);

/// <summary>
/// Finds transaction boundaries in the event stream and keeps the checkpoint after the last
/// complete transaction (what a reconnect resumes from).
/// <list type="bullet">
/// <item>MySQL: GTID/ANONYMOUS_GTID/GTID_TAGGED starts a transaction; "BEGIN" or "XA START" opens a
/// multi-event one that ends with XID, "COMMIT", "ROLLBACK" or XA_PREPARE; any other statement right
/// after the GTID (DDL, XA COMMIT) is a one-statement transaction; a TRANSACTION_PAYLOAD holds a whole
/// compressed transaction.</item>
/// <item>MariaDB: the GTID event is the BEGIN; a standalone GTID (DDL) is followed by one statement;
/// otherwise XID, "COMMIT", "ROLLBACK", "XA PREPARE"/XA_PREPARE end it.</item>
/// <item>Without GTIDs (file/position on an old-style server): "BEGIN" ... XID/COMMIT, or one statement.</item>
/// </list>
/// </summary>
internal sealed class TransactionTracker
{
    private bool _inTransaction;
    private bool _openedWithBegin;
    private Gtid? _mySqlGtid;
    private MariaDbGtid? _mariaDbGtid;
    private string? _gtidText;

    public TransactionTracker(ReplicationCheckpoint start)
    {
        Completed = start;
    }

    /// <summary>Checkpoint after the last complete transaction.</summary>
    public ReplicationCheckpoint Completed { get; private set; }

    public bool InTransaction => _inTransaction;

    /// <summary>The source re-sends from the last boundary after a reconnect: forget the in-flight transaction.</summary>
    public void ResetInFlight()
    {
        _inTransaction = false;
        _openedWithBegin = false;
        _mySqlGtid = null;
        _mariaDbGtid = null;
        _gtidText = null;
    }

    /// <summary>Goes back to an earlier boundary (the events after it will be received again).</summary>
    public void Restore(ReplicationCheckpoint completed)
    {
        Completed = completed;
        ResetInFlight();
    }

    /// <summary>Classifies <paramref name="e"/> and, when it completes a transaction, advances <see cref="Completed"/>.</summary>
    public TransactionRole Apply(BinlogEvent e, string file, ulong? nextOffset)
    {
        switch (e)
        {
            case GtidEvent gtid:
                Begin(openedWithBegin: false);
                _mySqlGtid = gtid.IsAnonymous ? null : new Gtid(gtid.SourceId, gtid.Tag, gtid.Gno);
                _gtidText = _mySqlGtid?.ToString();
                return Member();
            case MariaDbGtidEvent gtid:
                Begin(openedWithBegin: !gtid.IsStandalone);
                _mariaDbGtid = new MariaDbGtid(gtid.DomainId, gtid.ServerId, gtid.SequenceNumber);
                _gtidText = _mariaDbGtid.ToString();
                return Member();
            case QueryEvent query:
                return ApplyQuery(query, file, nextOffset);
            case XidEvent:
            case XaPrepareEvent:
            case TransactionPayloadEvent:
                if (!_inTransaction)
                {
                    Begin(openedWithBegin: true);
                }

                return Complete(file, nextOffset);
            case RotateEvent rotate:
                if (!_inTransaction && !rotate.IsFake && Completed.Position is not null)
                {
                    Completed = Completed.With(new BinlogPosition(rotate.NextFile, rotate.NextPosition), null, null);
                }

                return default;
            default:
                return _inTransaction && IsTransactionContent(e) ? Member() : default;
        }
    }

    private static bool IsTransactionContent(BinlogEvent e) =>
        e is not (FormatDescriptionEvent or PreviousGtidsEvent or MariaDbGtidListEvent or MariaDbBinlogCheckpointEvent
            or HeartbeatEvent or StopEvent or MariaDbStartEncryptionEvent);

    private TransactionRole ApplyQuery(QueryEvent query, string file, ulong? nextOffset)
    {
        var text = query.Query.AsSpan().TrimStart();
        var opens = query.IsBegin || text.StartsWith("XA START", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA BEGIN", StringComparison.OrdinalIgnoreCase);
        if (!_inTransaction)
        {
            Begin(openedWithBegin: opens);
            return opens ? Member() : Complete(file, nextOffset);
        }

        if (!_openedWithBegin)
        {
            if (opens)
            {
                _openedWithBegin = true;
                return Member();
            }

            return Complete(file, nextOffset); // the one statement after the GTID: DDL, XA COMMIT/ROLLBACK
        }

        var ends = query.IsCommit || query.IsRollback || text.StartsWith("XA PREPARE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA COMMIT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA ROLLBACK", StringComparison.OrdinalIgnoreCase);
        return ends ? Complete(file, nextOffset) : Member();
    }

    private void Begin(bool openedWithBegin)
    {
        _inTransaction = true;
        _openedWithBegin = openedWithBegin;
        _mySqlGtid = null;
        _mariaDbGtid = null;
        _gtidText = null;
    }

    private TransactionRole Member() => new(true, false, _gtidText);

    private TransactionRole Complete(string file, ulong? nextOffset)
    {
        var gtid = _gtidText;
        var position = nextOffset is { } next && next > 0 ? new BinlogPosition(file, next) : (BinlogPosition?)null;
        var gtidSet = _mySqlGtid is { } mysql ? (Completed.GtidSet ?? GtidSet.Empty).Add(mysql) : null;
        var mariaDb = _mariaDbGtid is { } maria ? (Completed.MariaDbGtids ?? MariaDbGtidList.Empty).With(maria) : null;
        Completed = Completed.With(position, gtidSet, mariaDb);
        ResetInFlight();
        return new TransactionRole(true, true, gtid);
    }
}

using System.Text;
using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Transactions;

/// <summary>
/// Follows transaction boundaries through one binlog file's events and keeps the GTID state of
/// the prefix read so far. Needs only each event's type and, for a few types, a handful of fields:
/// GTID flags (MariaDB standalone), the first word of a QUERY, and the starting GTID state from
/// PREVIOUS_GTIDS / GTID_LIST.
/// </summary>
/// <remarks>
/// Boundaries: MySQL opens a transaction with GTID (+ BEGIN / XA START) and ends it with XID, a
/// COMMIT/ROLLBACK/XA COMMIT query, XA_PREPARE, a TRANSACTION_PAYLOAD, or at the first statement
/// after the GTID when that statement is not BEGIN (DDL). MariaDB's GTID replaces BEGIN; with
/// FL_STANDALONE the group ends at its first QUERY.
/// </remarks>
public sealed class TransactionTracker
{
    private enum State
    {
        Idle,
        AfterGtid,
        AwaitingStandaloneStatement,
        InTransaction,
    }

    private State _state = State.Idle;
    private TransactionId? _current;
    private long _currentStart = -1;
    private uint _currentTimestamp;
    private int _queryPostHeaderLength = 13;

    public TransactionTracker(bool? isMariaDb = null, GtidState? initial = null)
    {
        IsMariaDb = isMariaDb;
        Gtids = initial?.Clone();
    }

    /// <summary>Null until the FORMAT_DESCRIPTION event (or the constructor) says.</summary>
    public bool? IsMariaDb { get; private set; }

    public ChecksumAlgorithm Checksum { get; private set; } = ChecksumAlgorithm.Undefined;

    public int ChecksumSize => Checksum == ChecksumAlgorithm.Crc32 ? BinlogChecksum.Size : 0;

    public string ServerVersion { get; private set; } = "";

    /// <summary>GTID state including every completed transaction seen so far (null until known).</summary>
    public GtidState? Gtids { get; private set; }

    /// <summary>GTID state at the start of the file (PREVIOUS_GTIDS / GTID_LIST), when seen.</summary>
    public GtidState? InitialGtids { get; private set; }

    public bool AtBoundary => _state == State.Idle;

    /// <summary>GTID of the open transaction, if any.</summary>
    public TransactionId? CurrentTransaction => _state == State.Idle ? null : _current;

    public long CurrentTransactionStart => _state == State.Idle ? -1 : _currentStart;

    /// <summary>Set by <see cref="Observe"/> when it returns <see cref="EventRole.End"/>.</summary>
    public CompletedTransaction? LastCompleted { get; private set; }

    /// <summary>Classifies one whole event (header to checksum) found at <paramref name="offset"/>.</summary>
    public EventRole Observe(ReadOnlySpan<byte> ev, EventHeader header, long offset)
    {
        LastCompleted = null;
        var end = offset + header.EventSize;
        switch (header.EventType)
        {
            case BinlogEventType.FormatDescription:
                Checksum = EventFacts.FormatChecksum(ev);
                _queryPostHeaderLength = EventFacts.QueryPostHeaderLength(ev);
                ServerVersion = EventFacts.ServerVersion(ev);
                IsMariaDb ??= ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
                return Control();

            case BinlogEventType.PreviousGtids:
                InitialGtids = EventFacts.PreviousGtids(ev, ChecksumSize);
                Gtids = InitialGtids.Clone();
                return Control();

            case BinlogEventType.MariaDbGtidList:
                InitialGtids = EventFacts.GtidList(ev, ChecksumSize);
                Gtids = InitialGtids.Clone();
                return Control();

            case BinlogEventType.Rotate:
            case BinlogEventType.Stop:
            case BinlogEventType.Heartbeat:
            case BinlogEventType.HeartbeatV2:
            case BinlogEventType.MariaDbBinlogCheckpoint:
            case BinlogEventType.MariaDbStartEncryption:
            case BinlogEventType.Incident:
            case BinlogEventType.StartV3:
                return Control();

            case BinlogEventType.MariaDbGtid:
            {
                var (id, flags) = EventFacts.MariaDbGtid(ev, ChecksumSize);
                Open(id, offset, header.Timestamp);
                _state = (flags & EventFacts.MariaDbStandaloneFlag) != 0 ? State.AwaitingStandaloneStatement : State.InTransaction;
                return EventRole.Begin;
            }

            case BinlogEventType.Gtid:
            case BinlogEventType.GtidTagged:
                Open(EventFacts.MySqlGtid(ev, ChecksumSize), offset, header.Timestamp);
                _state = State.AfterGtid;
                return EventRole.Begin;

            case BinlogEventType.AnonymousGtid:
                Open(null, offset, header.Timestamp);
                _state = State.AfterGtid;
                return EventRole.Begin;

            case BinlogEventType.Xid:
            case BinlogEventType.XaPrepare:
            case BinlogEventType.TransactionPayload:
                return _state == State.Idle ? Control() : Complete(end);

            case BinlogEventType.Query:
                return Query(EventFacts.QueryText(ev, ChecksumSize, _queryPostHeaderLength), offset, end, header.Timestamp);

            case BinlogEventType.MariaDbQueryCompressed:
                // Compressed statements are long ones (never BEGIN/COMMIT): a statement of its own unless inside a transaction.
                return _state switch
                {
                    State.InTransaction => EventRole.Inside,
                    State.Idle => Single(offset, end, header.Timestamp),
                    _ => Complete(end),
                };

            default:
                if (_state == State.Idle)
                {
                    // Rows or other data outside a transaction: only possible without GTIDs; treat as its own unit.
                    return Single(offset, end, header.Timestamp);
                }

                return EventRole.Inside;
        }
    }

    private EventRole Query(ReadOnlySpan<byte> text, long offset, long end, uint timestamp)
    {
        var word = Keyword(text);
        switch (_state)
        {
            case State.Idle:
                if (word is "BEGIN" or "XA START")
                {
                    Open(null, offset, timestamp);
                    _state = State.InTransaction;
                    return EventRole.Begin;
                }

                return Single(offset, end, timestamp);

            case State.AfterGtid:
                if (word is "BEGIN" or "XA START")
                {
                    _state = State.InTransaction;
                    return EventRole.Inside;
                }

                return Complete(end);

            case State.AwaitingStandaloneStatement:
                return Complete(end);

            default:
                return word is "COMMIT" or "ROLLBACK" or "XA COMMIT" or "XA ROLLBACK" ? Complete(end) : EventRole.Inside;
        }
    }

    /// <summary>Forgets the open transaction (its events were cut off); the GTID state is unchanged.</summary>
    public void AbandonOpenTransaction()
    {
        _state = State.Idle;
        _current = null;
        _currentStart = -1;
    }

    /// <summary>First word(s) of a statement, upper-cased: BEGIN, COMMIT, ROLLBACK, XA START, XA COMMIT... ("ROLLBACK TO" is not ROLLBACK).</summary>
    internal static string Keyword(ReadOnlySpan<byte> text)
    {
        var s = Encoding.ASCII.GetString(text[..Math.Min(text.Length, 24)]).TrimStart().ToUpperInvariant();
        var words = s.Split([' ', '\t', '\n', '\r', ';', '/'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return "";
        }

        if (words[0] == "XA" && words.Length > 1)
        {
            return "XA " + words[1];
        }

        if (words[0] == "ROLLBACK" && words.Length > 1 && words[1].StartsWith("TO", StringComparison.Ordinal))
        {
            return "ROLLBACK TO";
        }

        return words[0];
    }

    private EventRole Control()
    {
        return EventRole.Control;
    }

    private void Open(TransactionId? id, long offset, uint timestamp)
    {
        _current = id;
        _currentStart = offset;
        _currentTimestamp = timestamp;
    }

    private EventRole Single(long offset, long end, uint timestamp)
    {
        Open(null, offset, timestamp);
        return Complete(end);
    }

    private EventRole Complete(long end)
    {
        var duplicate = false;
        if (_current is { } id)
        {
            Gtids ??= GtidState.Empty(id.IsMariaDb);
            duplicate = !Gtids.Add(id);
        }

        LastCompleted = new CompletedTransaction(_current, _currentStart, end, _currentTimestamp, duplicate);
        _state = State.Idle;
        _current = null;
        _currentStart = -1;
        return EventRole.End;
    }
}

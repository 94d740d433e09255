using ReplicaKeeper.Archive.Transactions;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Index;

/// <summary>Builds a <see cref="SegmentIndex"/> from the events of one segment, in order.</summary>
public sealed class SegmentIndexBuilder
{
    public const int DefaultSpacing = 64 * 1024;

    private readonly string _segment;
    private readonly int _spacing;
    private readonly List<IndexPoint> _points = [];
    private long _firstPosition = -1;
    private long _lastPosition = -1;
    private long _end;
    private uint? _firstTime;
    private uint? _lastTime;
    private string? _firstGtid;
    private string? _lastGtid;
    private long _events;
    private long _transactions;
    private long _lastPointOffset = long.MinValue;
    private string? _nextFile;

    public SegmentIndexBuilder(string segment, int spacing = DefaultSpacing)
    {
        _segment = segment;
        _spacing = spacing;
        Tracker = new TransactionTracker();
    }

    public TransactionTracker Tracker { get; }

    public void Observe(ReadOnlySpan<byte> ev, EventHeader header, long offset)
    {
        var role = Tracker.Observe(ev, header, offset);
        _events++;
        if (_firstPosition < 0)
        {
            _firstPosition = offset;
        }

        _lastPosition = offset;
        _end = offset + header.EventSize;
        if (header.Timestamp != 0)
        {
            _firstTime ??= header.Timestamp;
            _lastTime = header.Timestamp;
        }

        if (header.EventType == BinlogEventType.Rotate)
        {
            _nextFile = EventFacts.Rotate(ev, Tracker.ChecksumSize).File;
        }

        if (role == EventRole.End && Tracker.LastCompleted is { } tx)
        {
            _transactions++;
            var gtid = tx.Id?.ToString();
            _firstGtid ??= gtid;
            _lastGtid = gtid ?? _lastGtid;
            if (_points.Count == 0 || tx.StartOffset - _lastPointOffset >= _spacing)
            {
                _points.Add(new IndexPoint(tx.StartOffset, DateTimeOffset.FromUnixTimeSeconds(tx.Timestamp), gtid));
                _lastPointOffset = tx.StartOffset;
            }
        }
    }

    public SegmentIndex Build() => new()
    {
        Segment = _segment,
        IsMariaDb = Tracker.IsMariaDb ?? false,
        ServerVersion = Tracker.ServerVersion,
        FirstPosition = _firstPosition < 0 ? 4 : _firstPosition,
        LastPosition = _lastPosition < 0 ? 4 : _lastPosition,
        EndPosition = _end == 0 ? 4 : _end,
        FirstTime = _firstTime is { } f ? DateTimeOffset.FromUnixTimeSeconds(f) : null,
        LastTime = _lastTime is { } l ? DateTimeOffset.FromUnixTimeSeconds(l) : null,
        FirstGtid = _firstGtid,
        LastGtid = _lastGtid,
        GtidsBefore = Tracker.InitialGtids?.ToString(),
        GtidsAfter = Tracker.Gtids?.ToString(),
        Events = _events,
        Transactions = _transactions,
        NextFile = _nextFile,
        Points = _points,
    };
}

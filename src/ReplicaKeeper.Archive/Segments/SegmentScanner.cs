using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Segments;

/// <summary>
/// Frame scanning of one segment for the archive: the Binlog project's <see cref="BinlogFrameScanner"/>
/// (magic, event sizes, log_pos continuity, CRC32) turned into outcomes instead of exceptions, so
/// recovery and verify can tell a torn tail (cut it) from corruption (report it with its offset).
/// The current event's bytes are valid until the next call.
/// </summary>
public sealed class SegmentScanner : IDisposable
{
    private readonly BinlogFrameScanner _frames;
    private bool _done;

    public SegmentScanner(Stream stream, string segmentName)
    {
        SegmentName = segmentName;
        _frames = new BinlogFrameScanner(stream, segmentName, leaveOpen: true);
    }

    public string SegmentName { get; }

    /// <summary>Offset of the current event (or of the problem, after TornTail/Corrupt).</summary>
    public long Offset { get; private set; }

    /// <summary>Offset just past the last whole event (or past the magic).</summary>
    public long NextOffset => _frames.LastCompleteEventEnd;

    public EventHeader Header => _frames.Current.Header;

    public ReadOnlySpan<byte> Event => _frames.Current.Bytes.Span;

    public ChecksumAlgorithm Checksum => _frames.Checksum;

    /// <summary>What is wrong, after <see cref="ScanOutcome.Corrupt"/> or <see cref="ScanOutcome.TornTail"/>.</summary>
    public string? Problem { get; private set; }

    public ScanOutcome Next()
    {
        if (_done)
        {
            return ScanOutcome.End;
        }

        Offset = _frames.Position;
        try
        {
            if (_frames.MoveNext())
            {
                Offset = _frames.Current.Position;
                return ScanOutcome.Event;
            }
        }
        catch (BinlogFormatException ex)
        {
            _done = true;
            Offset = ex.EventPosition >= 0 ? ex.EventPosition : _frames.Position;
            Problem = ex.Reason.Length > 0 ? ex.Reason : ex.Message;
            return ScanOutcome.Corrupt;
        }

        _done = true;
        if (_frames.End == BinlogScanEnd.TornTail)
        {
            Offset = _frames.LastCompleteEventEnd;
            Problem = $"torn tail: {_frames.TornTailLength} byte(s) of an incomplete event";
            return ScanOutcome.TornTail;
        }

        return ScanOutcome.End;
    }

    public void Dispose() => _frames.Dispose();
}

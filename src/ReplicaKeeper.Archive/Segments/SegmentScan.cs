using ReplicaKeeper.Archive.Transactions;
using ReplicaKeeper.Binlog;

namespace ReplicaKeeper.Archive.Segments;

/// <summary>Result of reading a whole raw segment: how far it is whole and where its last complete transaction ends.</summary>
public sealed record SegmentScan(
    string Name,
    long FileLength,
    long ValidLength,
    long LastBoundary,
    ScanOutcome Outcome,
    string? Problem,
    bool HasFormatDescription,
    bool EndsWithRotate,
    string? RotateTo,
    ulong RotatePosition,
    bool EndsWithStop,
    TransactionTracker Tracker,
    CompletedTransaction? LastTransaction)
{
    /// <summary>Scans a raw segment file from the start. The tracker reflects the state after the last whole event.</summary>
    public static SegmentScan Read(string path, string name)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        using var scanner = new SegmentScanner(stream, name);
        var tracker = new TransactionTracker();
        long lastBoundary = 0;
        var hasFde = false;
        var endsWithRotate = false;
        var endsWithStop = false;
        string? rotateTo = null;
        ulong rotatePos = 0;
        CompletedTransaction? lastTransaction = null;
        ScanOutcome outcome;
        while ((outcome = scanner.Next()) == ScanOutcome.Event)
        {
            var header = scanner.Header;
            if (tracker.Observe(scanner.Event, header, scanner.Offset) == EventRole.End)
            {
                lastTransaction = tracker.LastCompleted;
            }

            hasFde |= header.EventType == BinlogEventType.FormatDescription;
            endsWithRotate = header.EventType == BinlogEventType.Rotate;
            endsWithStop = header.EventType == BinlogEventType.Stop;
            if (endsWithRotate)
            {
                (rotateTo, rotatePos) = EventFacts.Rotate(scanner.Event, tracker.ChecksumSize);
            }

            if (tracker.AtBoundary)
            {
                lastBoundary = scanner.NextOffset;
            }
        }

        if (lastBoundary == 0 && scanner.NextOffset >= BinlogMagic.Size)
        {
            lastBoundary = BinlogMagic.Size;
        }

        return new SegmentScan(name, stream.Length, scanner.NextOffset, lastBoundary, outcome, scanner.Problem,
            hasFde, endsWithRotate && outcome == ScanOutcome.End, rotateTo, rotatePos, endsWithStop, tracker, lastTransaction);
    }
}

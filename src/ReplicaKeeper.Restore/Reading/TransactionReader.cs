using System.Runtime.CompilerServices;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Archive;

namespace ReplicaKeeper.Restore.Reading;

/// <summary>
/// Reads archived segments in order as one stream of committed transactions. A transaction starts at
/// its GTID event and ends at its XID, COMMIT/ROLLBACK, a DDL statement outside BEGIN, or (MySQL
/// compressed transactions) the TRANSACTION_PAYLOAD event. Control events (FORMAT_DESCRIPTION, ROTATE,
/// previous-GTID lists, checkpoints) belong to no transaction. A transaction left open at the end of
/// the last segment (still being written) is not returned.
/// </summary>
public sealed class TransactionReader(ArchiveSource source, bool keepRawBytes)
{
    public async IAsyncEnumerable<ArchivedTransaction> ReadAsync(
        IReadOnlyList<ArchivedSegment> segments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        Builder? open = null;
        foreach (var segment in segments)
        {
            await using var stream = source.Open(segment);
            using var scanner = new BinlogFrameScanner(stream, segment.Name, new BinlogFrameScannerOptions(), leaveOpen: true);
            using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
            ReadOnlyMemory<byte> fde = default;
            while (await scanner.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                var frame = scanner.Current;
                BinlogEvent decoded;
                try
                {
                    decoded = decoder.Decode(frame.Bytes.Span, segment.Name, frame.Position);
                }
                catch (BinlogFormatException ex)
                {
                    throw new ArchiveGapException($"segment {segment.Name} has an event that cannot be decoded at offset {frame.Position}: {ex.Message}", ex);
                }

                if (decoded is FormatDescriptionEvent)
                {
                    fde = frame.Bytes.ToArray();
                    continue;
                }

                var raw = keepRawBytes ? frame.Bytes.ToArray() : ReadOnlyMemory<byte>.Empty;
                var archived = new ArchivedEvent(segment.Name, frame.Position, frame.EndPosition, decoded, raw);
                switch (decoded)
                {
                    case GtidEvent gtid:
                        open = new Builder(gtid.IsAnonymous ? null : gtid.GtidText, MySqlTime(gtid), true, false, archived, fde);
                        continue;
                    case MariaDbGtidEvent mariaGtid:
                        open = new Builder(mariaGtid.GtidText, DateTimeOffset.FromUnixTimeSeconds(mariaGtid.Header.Timestamp), false, true, archived, fde)
                        {
                            Standalone = mariaGtid.IsStandalone,
                            InExplicitTransaction = !mariaGtid.IsStandalone,
                        };
                        continue;
                }

                if (open is null)
                {
                    continue; // control event, or the tail of a transaction that started before the first segment read
                }

                open.Events.Add(archived);
                if (open.Ends(decoded))
                {
                    yield return open.Build(archived);
                    open = null;
                }
            }

            if (scanner.End == BinlogScanEnd.TornTail && segment != segments[^1])
            {
                throw new ArchiveGapException($"segment {segment.Name} is truncated after offset {scanner.LastCompleteEventEnd}");
            }
        }
    }

    private static DateTimeOffset MySqlTime(GtidEvent gtid)
    {
        var micros = gtid.OriginalCommitTimestamp != 0 ? gtid.OriginalCommitTimestamp : gtid.ImmediateCommitTimestamp;
        return micros != 0
            ? DateTimeOffset.UnixEpoch.AddTicks((long)micros * 10)
            : DateTimeOffset.FromUnixTimeSeconds(gtid.Header.Timestamp);
    }

    private sealed class Builder(string? gtid, DateTimeOffset time, bool micro, bool isMariaDb, ArchivedEvent first, ReadOnlyMemory<byte> fde)
    {
        public List<ArchivedEvent> Events { get; } = [first];

        public bool Standalone { get; init; }

        public bool InExplicitTransaction { get; set; }

        public bool Ends(BinlogEvent e)
        {
            switch (e)
            {
                case XidEvent:
                case TransactionPayloadEvent:
                    return true;
                case QueryEvent q when q.IsBegin:
                    InExplicitTransaction = true;
                    return false;
                case QueryEvent q when q.IsCommit || q.IsRollback:
                    return true;
                case QueryEvent:
                    return !InExplicitTransaction || Standalone;
                default:
                    return false;
            }
        }

        public ArchivedTransaction Build(ArchivedEvent last) => new(
            gtid, time, micro, isMariaDb,
            new BinlogPosition(first.File, (ulong)first.Position),
            new BinlogPosition(last.File, (ulong)last.EndPosition),
            Events, fde);
    }
}

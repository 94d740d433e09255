using System.Buffers.Binary;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Tests.Golden;

/// <summary>
/// A minimal frame loop over a binlog file for the rows tests: header + event_size, the
/// FORMAT_DESCRIPTION for checksum and post-header lengths, TABLE_MAP and rows events decoded by the
/// rows decoders (zero-copy path); every other event is skipped.
/// </summary>
internal static class RowEventFile
{
    public static IEnumerable<(long Position, TableMapEvent? Map, RowsEvent? Rows)> Read(byte[] file)
    {
        if (file.Length < 4 || !file.AsSpan(0, 4).SequenceEqual(new byte[] { 0xFE, 0x62, 0x69, 0x6E }))
        {
            throw new InvalidDataException("not a binlog file");
        }

        var context = FormatContext.Default;
        var maps = new Dictionary<ulong, TableMapEvent>();
        long pos = 4;
        while (pos + EventHeader.Size <= file.Length)
        {
            var header = EventHeader.Read(file.AsSpan((int)pos));
            var size = (int)header.EventSize;
            if (pos + size > file.Length)
            {
                yield break;
            }

            var raw = file.AsMemory((int)pos, size);
            if (header.EventType == BinlogEventType.FormatDescription)
            {
                var fdeChecksum = FormatDescriptionEvent.ChecksumTrailerLength(raw.Span);
                var reader = new BinlogReader(raw.Span[EventHeader.Size..^fdeChecksum], EventHeader.Size);
                var fde = FormatDescriptionEvent.Read(ref reader, header, context);
                context = new FormatContext(fde.BinlogVersion, fde.ServerVersion, fde.PostHeaderLengths, fde.ChecksumAlgorithm);
            }
            else
            {
                var body = raw[EventHeader.Size..(size - context.ChecksumSize)];
                if (header.EventType == BinlogEventType.TableMap)
                {
                    var reader = new BinlogReader(body.Span, EventHeader.Size);
                    maps.TryGetValue(TableId(body.Span, context), out var cached);
                    var map = TableMapEvent.Read(ref reader, header, context, cached);
                    maps[map.TableId] = map;
                    yield return (pos, map, null);
                }
                else if (RowsEvent.IsRowsEvent(header.EventType))
                {
                    var rows = RowsEvent.Read(body, header, context, id => maps.GetValueOrDefault(id));
                    yield return (pos, null, rows);
                }
            }

            pos += size;
        }
    }

    private static ulong TableId(ReadOnlySpan<byte> body, FormatContext context) =>
        context.PostHeaderLength(BinlogEventType.TableMap, 8) == 6
            ? BinaryPrimitives.ReadUInt32LittleEndian(body)
            : BinaryPrimitives.ReadUInt32LittleEndian(body) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(body[4..]) << 32);
}

using System.Buffers.Binary;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.Binlog.Tests.Framing;

namespace ReplicaKeeper.Binlog.Tests.Events;

/// <summary>Raw events of the captured files, and helpers to build or alter events.</summary>
internal static class RawEvents
{
    public sealed record Raw(string File, long Position, byte[] Bytes, int ChecksumLength)
    {
        public BinlogEventType Type => (BinlogEventType)Bytes[4];
    }

    public static List<Raw> Of(string flavor, string file)
    {
        using var scanner = new BinlogFrameScanner(new MemoryStream(TestBinlogs.Bytes(flavor, file)), file);
        var list = new List<Raw>();
        while (scanner.MoveNext())
        {
            list.Add(new Raw(file, scanner.Current.Position, scanner.Current.Bytes.ToArray(), scanner.Current.ChecksumLength));
        }

        return list;
    }

    /// <summary>
    /// A decoder in the state it has just before event <paramref name="index"/>: it has seen the
    /// file's FDE and the events of the current transaction (from its GTID/BEGIN on).
    /// </summary>
    public static BinlogEventDecoder DecoderBefore(List<Raw> events, int index)
    {
        var decoder = new BinlogEventDecoder();
        if (index == 0)
        {
            return decoder;
        }

        decoder.Decode(events[0].Bytes, events[0].File, events[0].Position);
        var start = index;
        while (start > 1 && !StartsTransaction(events[start].Type))
        {
            start--;
        }

        for (var i = Math.Max(start, 1); i < index; i++)
        {
            decoder.Decode(events[i].Bytes, events[i].File, events[i].Position);
        }

        return decoder;
    }

    private static bool StartsTransaction(BinlogEventType type) =>
        type is BinlogEventType.Gtid or BinlogEventType.AnonymousGtid or BinlogEventType.GtidTagged or BinlogEventType.MariaDbGtid;

    /// <summary>
    /// The event with its body (without checksum) replaced, event_size fixed and, when it had
    /// one, a correct CRC32 appended.
    /// </summary>
    public static byte[] Rebuild(ReadOnlySpan<byte> withoutChecksum, bool checksum)
    {
        var result = new byte[withoutChecksum.Length + (checksum ? 4 : 0)];
        withoutChecksum.CopyTo(result);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(9), (uint)result.Length);
        if (checksum)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(result.Length - 4), BinlogChecksum.ComputeForEvent(result.AsSpan(0, result.Length - 4)));
        }

        return result;
    }

    /// <summary>An event from a header and body, log_pos 0, with or without CRC32.</summary>
    public static byte[] Make(BinlogEventType type, ReadOnlySpan<byte> body, bool checksum, uint timestamp = 1_700_000_000, ushort flags = 0, uint logPos = 0)
    {
        var bytes = new byte[EventHeader.Size + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, timestamp);
        bytes[4] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(5), 7);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(13), logPos);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(17), flags);
        body.CopyTo(bytes.AsSpan(EventHeader.Size));
        return Rebuild(bytes, checksum);
    }

    /// <summary>Decodes and, for rows events (also inside payloads), reads every row: what a consumer does.</summary>
    public static void DecodeFully(BinlogEventDecoder decoder, byte[] raw, string file, long position)
    {
        var e = decoder.Decode(raw, file, position);
        Consume(e);
    }

    private static void Consume(BinlogEvent e)
    {
        switch (e)
        {
            case RowsEvent rows:
                // Capped: a damaged image can make a row consume no bytes (reported to the rows decoder's owner).
                var change = new ReplicaKeeper.Binlog.Columns.RowChange();
                var reader = rows.GetRows();
                for (var n = 0; n < 100_000 && reader.Read(change); n++)
                {
                }

                break;
            case TransactionPayloadEvent payload:
                foreach (var nested in payload.Events)
                {
                    Consume(nested);
                }

                break;
            default:
                break;
        }
    }
}

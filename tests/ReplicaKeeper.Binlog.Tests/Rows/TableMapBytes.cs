using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Tests.Rows;

/// <summary>Builds TABLE_MAP / rows event bodies by hand for unit tests.</summary>
internal static class TableMapBytes
{
    public static FormatContext Context(byte tableMapPostHeader = 8, string version = "9.7.4")
    {
        var lengths = new byte[42];
        lengths[(int)BinlogEventType.TableMap - 1] = tableMapPostHeader;
        foreach (var t in new[] { BinlogEventType.WriteRowsV1, BinlogEventType.UpdateRowsV1, BinlogEventType.DeleteRowsV1 })
        {
            lengths[(int)t - 1] = 8;
        }

        foreach (var t in new[] { BinlogEventType.WriteRowsV2, BinlogEventType.UpdateRowsV2, BinlogEventType.DeleteRowsV2, BinlogEventType.PartialUpdateRows })
        {
            lengths[(int)t - 1] = 10;
        }

        return new FormatContext(4, version, lengths, ChecksumAlgorithm.None);
    }

    public static EventHeader Header(BinlogEventType type, int bodyLength) =>
        new(1_700_000_000, type, 1, (uint)(EventHeader.Size + bodyLength), 0, 0);

    /// <summary>TABLE_MAP body: id, flags, names, types, metadata, null bits, optional TLVs.</summary>
    public static byte[] TableMap(ulong tableId, bool fourByteId, byte[] types, byte[] metadata, byte[] nullBits, byte[] optional)
    {
        var b = new List<byte>();
        for (var i = 0; i < (fourByteId ? 4 : 6); i++)
        {
            b.Add((byte)(tableId >> (8 * i)));
        }

        b.AddRange([1, 0]); // flags
        b.Add(2);
        b.AddRange("db"u8.ToArray());
        b.Add(0);
        b.Add(1);
        b.AddRange("t"u8.ToArray());
        b.Add(0);
        b.Add((byte)types.Length);
        b.AddRange(types);
        b.Add((byte)metadata.Length);
        b.AddRange(metadata);
        b.AddRange(nullBits);
        b.AddRange(optional);
        return [.. b];
    }

    /// <summary>Rows body: id(6) flags(2) [extra] width bitmaps rows.</summary>
    public static byte[] Rows(ulong tableId, byte[]? extra, int width, byte[][] bitmaps, byte[] rows)
    {
        var b = new List<byte>();
        for (var i = 0; i < 6; i++)
        {
            b.Add((byte)(tableId >> (8 * i)));
        }

        b.AddRange([1, 0]);
        if (extra is not null)
        {
            var length = extra.Length + 2;
            b.Add((byte)length);
            b.Add((byte)(length >> 8));
            b.AddRange(extra);
        }

        b.Add((byte)width);
        foreach (var bitmap in bitmaps)
        {
            b.AddRange(bitmap);
        }

        b.AddRange(rows);
        return [.. b];
    }
}

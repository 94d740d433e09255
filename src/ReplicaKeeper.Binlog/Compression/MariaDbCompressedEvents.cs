using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Compression;

/// <summary>
/// Where the compressed part of MariaDB's QUERY_COMPRESSED and *_ROWS_COMPRESSED events starts
/// (sql/log_event.cc query_event_uncompress / row_log_event_uncompress): everything before it
/// is the uncompressed event's head, everything after it is one MariaDB compressed body.
/// </summary>
public static class MariaDbCompressedEvents
{
    /// <summary>The uncompressed event type for a compressed one (166-171 to 23-25 / 30-32, 165 to 2).</summary>
    public static BinlogEventType UncompressedType(BinlogEventType type) => type switch
    {
        BinlogEventType.MariaDbQueryCompressed => BinlogEventType.Query,
        BinlogEventType.MariaDbWriteRowsCompressedV1 => BinlogEventType.WriteRowsV1,
        BinlogEventType.MariaDbUpdateRowsCompressedV1 => BinlogEventType.UpdateRowsV1,
        BinlogEventType.MariaDbDeleteRowsCompressedV1 => BinlogEventType.DeleteRowsV1,
        BinlogEventType.MariaDbWriteRowsCompressedV2 => BinlogEventType.WriteRowsV2,
        BinlogEventType.MariaDbUpdateRowsCompressedV2 => BinlogEventType.UpdateRowsV2,
        BinlogEventType.MariaDbDeleteRowsCompressedV2 => BinlogEventType.DeleteRowsV2,
        _ => type,
    };

    /// <summary>
    /// Offset (inside <paramref name="body"/>, the event after its common header and without its
    /// checksum) of the compressed part of a compressed rows event: after the post-header, the
    /// v2 extra header, the packed column count and the column bitmap(s).
    /// </summary>
    public static int RowsCompressedOffset(ReadOnlySpan<byte> body, BinlogEventType type, FormatContext context, int baseOffset) =>
        RowsCompressedOffset(body, type, context, baseOffset, out _);

    /// <summary>
    /// As <see cref="RowsCompressedOffset(ReadOnlySpan{byte}, BinlogEventType, FormatContext, int)"/>, also giving where
    /// the rows part starts (after the post-header and v2 extra data: the packed column count).
    /// </summary>
    public static int RowsCompressedOffset(
        ReadOnlySpan<byte> body, BinlogEventType type, FormatContext context, int baseOffset, out int rowsStart)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reader = new BinlogReader(body, baseOffset);
        var isV2 = type is BinlogEventType.MariaDbWriteRowsCompressedV2
            or BinlogEventType.MariaDbUpdateRowsCompressedV2
            or BinlogEventType.MariaDbDeleteRowsCompressedV2;
        var postHeader = context.PostHeaderLength(type, isV2 ? 10 : 8);
        reader.Skip(Math.Min(postHeader, 8));
        if (isV2 || postHeader >= 10)
        {
            var extra = reader.ReadUInt16LE();
            if (extra < 2)
            {
                throw reader.Error($"rows extra-data length {extra} is below 2");
            }

            reader.Skip(extra - 2);
        }

        rowsStart = reader.Position;
        var width = reader.ReadLengthEncodedInteger();
        if (width > (ulong)reader.Remaining * 8)
        {
            throw reader.Error($"column count {width} exceeds the event");
        }

        var bitmap = (int)((width + 7) / 8);
        reader.Skip(bitmap);
        var uncompressedType = UncompressedType(type);
        if (uncompressedType is BinlogEventType.UpdateRowsV1 or BinlogEventType.UpdateRowsV2)
        {
            reader.Skip(bitmap);
        }

        return reader.Position;
    }
}

using System.Numerics;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// WRITE/UPDATE/DELETE_ROWS v1 (23-25, MariaDB) and v2 (30-32, MySQL), PARTIAL_UPDATE_ROWS (39)
/// and MariaDB's compressed rows events (166-171). Layout after the common header:
/// table_id(6, or 4 when the post-header is 6 bytes) flags(2) [v2: extra_len(2, counts itself)
/// extra TLVs: 0 = NDB info (length byte counting itself, format, data), 1 = partition id(2)
/// (+ source partition id(2) for updates)] | width(packed) columns_present((width+7)/8)
/// [updates: columns_present_after] rows. MariaDB compresses everything after the post-header.
/// The rows are decoded lazily: <see cref="GetRows"/> enumerates them into reusable buffers.
/// The event keeps a reference to the bytes it was read from; they must stay unchanged while rows
/// are read.
/// </summary>
public sealed record RowsEvent : BinlogEvent
{
    /// <summary>STMT_END_F: the last rows event of the statement.</summary>
    public const ushort StatementEndFlag = 0x0001;

    public const ushort NoForeignKeyChecksFlag = 0x0002;

    public const ushort RelaxedUniqueChecksFlag = 0x0004;

    /// <summary>COMPLETE_ROWS_F: the row images are complete (FULL).</summary>
    public const ushort CompleteRowsFlag = 0x0008;

    private RowsEvent(EventHeader header, TableMapEvent table)
        : base(header)
    {
        Table = table;
    }

    public RowsEventKind Kind { get; private init; }

    /// <summary>1 (v1, MariaDB) or 2 (v2, MySQL, with extra data); v0 events read as v1.</summary>
    public int Version { get; private init; }

    /// <summary>MariaDB compressed rows event (the rows were handed over decompressed).</summary>
    public bool IsCompressed { get; private init; }

    public ulong TableId { get; private init; }

    public ushort Flags { get; private init; }

    public bool IsStatementEnd => (Flags & StatementEndFlag) != 0;

    /// <summary>The table map this event's table id refers to.</summary>
    public TableMapEvent Table { get; private init; }

    /// <summary>The same rows decoded with <paramref name="table"/> (a copy of <see cref="Table"/> completed by the caller, e.g. signedness or character sets from the target's catalog).</summary>
    public RowsEvent WithTable(TableMapEvent table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.ColumnCount != Table.ColumnCount)
        {
            throw new ArgumentException($"The table map has {table.ColumnCount} columns; this event's has {Table.ColumnCount}.", nameof(table));
        }

        return this with { Table = table };
    }

    /// <summary>Number of columns the rows carry bits for (the event's width).</summary>
    public int ColumnCount { get; private init; }

    /// <summary>Columns present in the (before image for UPDATE / DELETE, after image for WRITE) row images.</summary>
    public ReadOnlyMemory<byte> ColumnsPresent { get; private init; }

    /// <summary>UPDATE / PARTIAL_UPDATE: columns present in the after images (else equal to <see cref="ColumnsPresent"/>).</summary>
    public ReadOnlyMemory<byte> ColumnsPresentAfter { get; private init; }

    /// <summary>v2 extra row info TLVs, raw (empty for v1).</summary>
    public ReadOnlyMemory<byte> ExtraData { get; private init; }

    /// <summary>NDB extra row info (length byte, format byte, data), when present.</summary>
    public ReadOnlyMemory<byte> NdbInfo { get; private init; }

    /// <summary>Partition id from the PART extra row info, when present.</summary>
    public int? PartitionId { get; private init; }

    /// <summary>Source partition id (UPDATE moving rows between partitions), when present.</summary>
    public int? SourcePartitionId { get; private init; }

    /// <summary>The row images, undecoded.</summary>
    public ReadOnlyMemory<byte> RowData { get; private init; }

    /// <summary>Offset of <see cref="RowData"/> inside the event (for error offsets; -1 when decompressed).</summary>
    public int RowDataOffset { get; private init; }

    internal int PresentCount { get; private init; }

    internal int PresentAfterCount { get; private init; }

    /// <summary>
    /// Reads the event from a <see cref="BinlogReader"/> over the body after the common header
    /// (without checksum). Copies the body so the event owns its bytes; the dispatcher's zero-copy
    /// path is <see cref="Read(ReadOnlyMemory{byte}, EventHeader, FormatContext, Func{ulong, TableMapEvent?}, ReadOnlyMemory{byte}?)"/>.
    /// </summary>
    public static RowsEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context, Func<ulong, TableMapEvent?> tableMaps)
    {
        var baseOffset = reader.Offset;
        var body = reader.ReadToEnd().ToArray();
        return Read(body, header, context, tableMaps, decompressedRows: null, baseOffset);
    }

    /// <summary>
    /// Reads the event without copying: <paramref name="body"/> is the event after the common header,
    /// without checksum, and must stay unchanged while the rows are read. For MariaDB's compressed
    /// rows events (166-171) pass the decompressed bytes that follow the post-header (and v2 extra
    /// data) as <paramref name="decompressedRows"/>; <paramref name="body"/> then only needs to hold
    /// the post-header.
    /// </summary>
    public static RowsEvent Read(
        ReadOnlyMemory<byte> body, EventHeader header, FormatContext context, Func<ulong, TableMapEvent?> tableMaps,
        ReadOnlyMemory<byte>? decompressedRows = null) =>
        Read(body, header, context, tableMaps, decompressedRows, EventHeader.Size);

    private static RowsEvent Read(
        ReadOnlyMemory<byte> body, EventHeader header, FormatContext context, Func<ulong, TableMapEvent?> tableMaps,
        ReadOnlyMemory<byte>? decompressedRows, int baseOffset)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tableMaps);
        var (kind, version, compressed) = Classify(header.EventType);
        var reader = new BinlogReader(body.Span, baseOffset);
        var postHeaderLength = context.PostHeaderLength(header.EventType, version == 2 ? 10 : 8);
        ulong tableId = postHeaderLength == 6 ? reader.ReadUInt32LE() : reader.ReadUInt48LE();
        var flags = reader.ReadUInt16LE();
        ReadOnlyMemory<byte> extra = default, ndb = default;
        int? partition = null, sourcePartition = null;
        if (postHeaderLength == 10)
        {
            var extraLength = reader.ReadUInt16LE();
            if (extraLength < 2)
            {
                throw reader.Error($"extra row info length {extraLength} is below 2");
            }

            var extraStart = reader.Position;
            reader.Skip(extraLength - 2);
            extra = body.Slice(extraStart, extraLength - 2);
            ParseExtraData(extra, kind, baseOffset + extraStart, ref ndb, ref partition, ref sourcePartition);
        }
        else if (postHeaderLength > 8)
        {
            reader.Skip(postHeaderLength - 8);
        }

        var table = tableMaps(tableId) ?? throw new BinlogFormatException(
            $"rows event for table id {tableId} without a preceding TABLE_MAP", null, -1, header.EventType, baseOffset);
        if (table.TableId != tableId)
        {
            throw new BinlogFormatException(
                $"table map lookup for id {tableId} returned table id {table.TableId}", null, -1, header.EventType, baseOffset);
        }

        ReadOnlyMemory<byte> rest;
        int restOffset;
        if (compressed)
        {
            if (decompressedRows is not { } rows)
            {
                throw new BinlogFormatException(
                    "compressed rows event: the dispatcher must pass the decompressed rows", null, -1, header.EventType, reader.Offset);
            }

            rest = rows;
            restOffset = -1;
        }
        else
        {
            rest = body[reader.Position..];
            restOffset = reader.Offset;
        }

        var rowsReader = new BinlogReader(rest.Span, Math.Max(restOffset, 0));
        var width = rowsReader.ReadLengthEncodedInteger();
        if (width == 0 || width > (ulong)table.ColumnCount)
        {
            throw rowsReader.Error($"rows event width {width} does not fit table {table.FullName} of {table.ColumnCount} column(s)");
        }

        var bitmapLength = ((int)width + 7) / 8;
        var presentStart = rowsReader.Position;
        rowsReader.Skip(bitmapLength);
        var present = rest.Slice(presentStart, bitmapLength);
        var presentAfter = present;
        if (kind is RowsEventKind.Update or RowsEventKind.PartialUpdate)
        {
            var afterStart = rowsReader.Position;
            rowsReader.Skip(bitmapLength);
            presentAfter = rest.Slice(afterStart, bitmapLength);
        }

        var dataStart = rowsReader.Position;
        return new RowsEvent(header, table)
        {
            Kind = kind,
            Version = version,
            IsCompressed = compressed,
            TableId = tableId,
            Flags = flags,
            ColumnCount = (int)width,
            ColumnsPresent = present,
            ColumnsPresentAfter = presentAfter,
            ExtraData = extra,
            NdbInfo = ndb,
            PartitionId = partition,
            SourcePartitionId = sourcePartition,
            RowData = rest[dataStart..],
            RowDataOffset = restOffset < 0 ? -1 : restOffset + dataStart,
            PresentCount = CountBits(present.Span, (int)width),
            PresentAfterCount = CountBits(presentAfter.Span, (int)width),
        };
    }

    /// <summary>An enumerator over the rows, decoding into a caller-supplied <see cref="Columns.RowChange"/>.</summary>
    public RowsEventReader GetRows() => new(this);

    /// <summary>Decodes every row once and returns how many there are.</summary>
    public int CountRows()
    {
        var change = new Columns.RowChange();
        var reader = GetRows();
        var n = 0;
        while (reader.Read(change))
        {
            n++;
        }

        return n;
    }

    /// <summary>Event type to (kind, version, compressed). Throws for non-rows types.</summary>
    public static (RowsEventKind Kind, int Version, bool Compressed) Classify(BinlogEventType type) => type switch
    {
        BinlogEventType.WriteRowsV0 or BinlogEventType.WriteRowsV1 => (RowsEventKind.Write, 1, false),
        BinlogEventType.UpdateRowsV0 or BinlogEventType.UpdateRowsV1 => (RowsEventKind.Update, 1, false),
        BinlogEventType.DeleteRowsV0 or BinlogEventType.DeleteRowsV1 => (RowsEventKind.Delete, 1, false),
        BinlogEventType.WriteRowsV2 => (RowsEventKind.Write, 2, false),
        BinlogEventType.UpdateRowsV2 => (RowsEventKind.Update, 2, false),
        BinlogEventType.DeleteRowsV2 => (RowsEventKind.Delete, 2, false),
        BinlogEventType.PartialUpdateRows => (RowsEventKind.PartialUpdate, 2, false),
        BinlogEventType.MariaDbWriteRowsCompressedV1 => (RowsEventKind.Write, 1, true),
        BinlogEventType.MariaDbUpdateRowsCompressedV1 => (RowsEventKind.Update, 1, true),
        BinlogEventType.MariaDbDeleteRowsCompressedV1 => (RowsEventKind.Delete, 1, true),
        BinlogEventType.MariaDbWriteRowsCompressedV2 => (RowsEventKind.Write, 2, true),
        BinlogEventType.MariaDbUpdateRowsCompressedV2 => (RowsEventKind.Update, 2, true),
        BinlogEventType.MariaDbDeleteRowsCompressedV2 => (RowsEventKind.Delete, 2, true),
        _ => throw new BinlogFormatException($"{type} is not a rows event", null, -1, type, 4),
    };

    /// <summary>True for every event type <see cref="Read(ref BinlogReader, EventHeader, FormatContext, Func{ulong, TableMapEvent?})"/> handles.</summary>
    public static bool IsRowsEvent(BinlogEventType type) => type is (>= BinlogEventType.WriteRowsV0 and <= BinlogEventType.DeleteRowsV1)
        or (>= BinlogEventType.WriteRowsV2 and <= BinlogEventType.DeleteRowsV2) or BinlogEventType.PartialUpdateRows
        or (>= BinlogEventType.MariaDbWriteRowsCompressedV1 and <= BinlogEventType.MariaDbDeleteRowsCompressedV2);

    private static void ParseExtraData(
        ReadOnlyMemory<byte> extra, RowsEventKind kind, int baseOffset, ref ReadOnlyMemory<byte> ndb, ref int? partition, ref int? sourcePartition)
    {
        var reader = new BinlogReader(extra.Span, baseOffset);
        while (!reader.IsAtEnd)
        {
            var type = reader.ReadByte();
            switch (type)
            {
                case 0: // NDB: length (counting itself and the format byte) then format and data
                {
                    var start = reader.Position;
                    var length = reader.ReadByte();
                    if (length < 2)
                    {
                        throw reader.Error($"NDB extra row info length {length} is below 2");
                    }

                    reader.Skip(length - 1);
                    if (ndb.IsEmpty)
                    {
                        ndb = extra.Slice(start, length);
                    }

                    break;
                }

                case 1: // PART
                    partition = reader.ReadUInt16LE();
                    if (kind is RowsEventKind.Update or RowsEventKind.PartialUpdate)
                    {
                        sourcePartition = reader.ReadUInt16LE();
                    }

                    break;
                default:
                    return; // unknown: nothing further can be understood, as MySQL does
            }
        }
    }

    private static int CountBits(ReadOnlySpan<byte> bitmap, int width)
    {
        var n = 0;
        for (var i = 0; i < bitmap.Length; i++)
        {
            var b = bitmap[i];
            if (i == bitmap.Length - 1 && (width & 7) != 0)
            {
                b &= (byte)((1 << (width & 7)) - 1);
            }

            n += BitOperations.PopCount(b);
        }

        return n;
    }

    public override string ToString() => $"{Kind} rows v{Version} table {TableId} ({Table.FullName}), {RowData.Length} bytes";
}

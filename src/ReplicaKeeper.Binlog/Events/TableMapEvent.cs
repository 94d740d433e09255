using System.Text;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// TABLE_MAP_EVENT (19): binds a table id to schema.table and describes its columns for the rows
/// events that follow. Layout after the common header:
/// table_id(6, or 4 when the post-header is 6 bytes) flags(2) | schema_len(1) schema NUL
/// table_len(1) table NUL column_count(packed) column_types(n) metadata_len(packed) metadata
/// null_bitmap((n+7)/8) optional_metadata(TLVs: type(1) length(packed) value).
/// </summary>
public sealed record TableMapEvent : BinlogEvent
{
    private readonly ColumnDefinition[] _columns;
    private readonly byte[] _rawBody;

    private TableMapEvent(
        EventHeader header, ulong tableId, ushort flags, string schema, string table, ColumnDefinition[] columns,
        byte[] rawBody, int optionalMetadataOffset, bool isMariaDb)
        : base(header)
    {
        TableId = tableId;
        Flags = flags;
        Schema = schema;
        Table = table;
        _columns = columns;
        _rawBody = rawBody;
        OptionalMetadataOffset = optionalMetadataOffset;
        IsMariaDb = isMariaDb;
        foreach (var c in columns)
        {
            if (c.Type == ColumnType.Json)
            {
                JsonColumnCount++;
            }
        }
    }

    /// <summary>TLV codes of the optional metadata (binlog_row_metadata).</summary>
    public enum MetadataField : byte
    {
        Signedness = 1,
        DefaultCharset = 2,
        ColumnCharset = 3,
        ColumnName = 4,
        SetStrValue = 5,
        EnumStrValue = 6,
        GeometryType = 7,
        SimplePrimaryKey = 8,
        PrimaryKeyWithPrefix = 9,
        EnumAndSetDefaultCharset = 10,
        EnumAndSetColumnCharset = 11,
        ColumnVisibility = 12,
        VectorDimensionality = 13,
    }

    public ulong TableId { get; }

    public ushort Flags { get; }

    public string Schema { get; }

    public string Table { get; }

    public int ColumnCount => _columns.Length;

    public IReadOnlyList<ColumnDefinition> Columns => _columns;

    /// <summary>Primary key columns (index, prefix length or 0), when logged (FULL metadata).</summary>
    public IReadOnlyList<(int Column, int Prefix)> PrimaryKey { get; private init; } = [];

    /// <summary>Default collation of character columns, when logged as DEFAULT_CHARSET.</summary>
    public int? DefaultCollation { get; private init; }

    /// <summary>Default collation of ENUM/SET columns, when logged.</summary>
    public int? EnumAndSetDefaultCollation { get; private init; }

    /// <summary>True when the optional metadata carried column names.</summary>
    public bool HasColumnNames { get; private init; }

    /// <summary>True when the optional metadata carried SIGNEDNESS.</summary>
    public bool HasSignedness { get; private init; }

    /// <summary>Optional metadata TLV codes this decoder does not know (skipped by length).</summary>
    public IReadOnlyList<byte> UnknownMetadataFields { get; private init; } = [];

    /// <summary>Number of JSON columns (PARTIAL_UPDATE_ROWS has one partial bit per JSON column).</summary>
    public int JsonColumnCount { get; }

    /// <summary>Written by MariaDB (decides which types take a character-set slot).</summary>
    public bool IsMariaDb { get; }

    /// <summary>The event body after the common header, without checksum.</summary>
    public ReadOnlyMemory<byte> RawBody => _rawBody;

    /// <summary>The raw optional metadata TLVs.</summary>
    public ReadOnlyMemory<byte> OptionalMetadata => _rawBody.AsMemory(OptionalMetadataOffset);

    private int OptionalMetadataOffset { get; }

    internal ColumnDefinition[] ColumnArray => _columns;

    /// <summary>Column names pre-encoded for JSON output (built once per table map).</summary>
    internal System.Text.Json.JsonEncodedText[] JsonNames
    {
        get
        {
            if (_jsonNames is null)
            {
                var names = new System.Text.Json.JsonEncodedText[_columns.Length];
                for (var i = 0; i < names.Length; i++)
                {
                    names[i] = System.Text.Json.JsonEncodedText.Encode(_columns[i].DisplayName);
                }

                _jsonNames = names;
            }

            return _jsonNames;
        }
    }

    private System.Text.Json.JsonEncodedText[]? _jsonNames;

    /// <summary>Schema-qualified name, `schema`.`table` without quoting.</summary>
    public string FullName => Schema + "." + Table;

    /// <summary>
    /// Reads the event. The reader covers the body after the common header, without checksum.
    /// </summary>
    public static TableMapEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context) =>
        Read(ref reader, header, context, cached: null);

    /// <summary>
    /// Reads the event, reusing <paramref name="cached"/> (the previous map of the same table id)
    /// when the body is byte-identical, so a steady stream of transactions on one table decodes
    /// its table maps without allocating column descriptions again.
    /// </summary>
    public static TableMapEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context, TableMapEvent? cached)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = reader.RemainingSpan;
        if (cached is not null && body.SequenceEqual(cached._rawBody))
        {
            reader.Skip(body.Length);
            return cached.Header == header ? cached : cached with { Header = header };
        }

        var start = reader.Position;
        var baseOffset = reader.Offset - reader.Position;
        var postHeaderLength = context.PostHeaderLength(BinlogEventType.TableMap, 8);
        ulong tableId = postHeaderLength == 6 ? reader.ReadUInt32LE() : reader.ReadUInt48LE();
        var flags = reader.ReadUInt16LE();
        if (postHeaderLength > 8)
        {
            reader.Skip(postHeaderLength - 8);
        }

        var schemaLength = reader.ReadByte();
        var schema = Encoding.UTF8.GetString(reader.ReadBytes(schemaLength));
        if (reader.ReadByte() != 0)
        {
            throw reader.Error("schema name is not NUL-terminated");
        }

        var tableLength = reader.ReadByte();
        var table = Encoding.UTF8.GetString(reader.ReadBytes(tableLength));
        if (reader.ReadByte() != 0)
        {
            throw reader.Error("table name is not NUL-terminated");
        }

        var columnCount = reader.ReadLengthEncodedLength();
        var types = reader.ReadBytes(columnCount);
        ReadOnlySpan<byte> metadata = default;
        ReadOnlySpan<byte> nullBits = default;
        if (!reader.IsAtEnd)
        {
            var metadataLength = reader.ReadLengthEncodedLength();
            if (metadataLength > columnCount * 4)
            {
                throw reader.Error($"column metadata of {metadataLength} bytes for {columnCount} column(s)");
            }

            metadata = reader.ReadBytes(metadataLength);
            nullBits = reader.ReadBytes((columnCount + 7) / 8);
        }

        var columns = new ColumnDefinition[columnCount];
        var m = 0;
        for (var i = 0; i < columnCount; i++)
        {
            var type = (ColumnType)types[i];
            var size = MetadataSize(type);
            if (m + size > metadata.Length)
            {
                throw new BinlogFormatException(
                    $"column {i + 1} ({type}) needs {size} metadata byte(s), {metadata.Length - m} left",
                    null, -1, BinlogEventType.TableMap, baseOffset + start);
            }

            ushort meta = size switch
            {
                1 => metadata[m],
                // VARCHAR: little-endian max length. BIT: bit_len (bits % 8), bytes -> bytes << 8 | bits.
                2 when type is ColumnType.VarChar or ColumnType.Bit => (ushort)(metadata[m] | (metadata[m + 1] << 8)),
                2 => (ushort)((metadata[m] << 8) | metadata[m + 1]), // STRING/ENUM/SET, NEWDECIMAL: big-endian pair
                _ => 0,
            };
            m += size;
            var nullable = nullBits.Length > 0 && (nullBits[i >> 3] & (1 << (i & 7))) != 0;
            columns[i] = new ColumnDefinition(i, type, meta, nullable);
        }

        var optionalOffset = reader.Position - start;
        var optional = reader.ReadToEnd();
        var parsed = OptionalMetadataParser.Apply(optional, columns, context.IsMariaDb, baseOffset + start + optionalOffset);
        foreach (var c in columns)
        {
            c.Prepare();
        }

        return new TableMapEvent(header, tableId, flags, schema, table, columns, body.ToArray(), optionalOffset, context.IsMariaDb)
        {
            PrimaryKey = parsed.PrimaryKey,
            DefaultCollation = parsed.DefaultCollation,
            EnumAndSetDefaultCollation = parsed.EnumAndSetDefaultCollation,
            HasColumnNames = parsed.HasColumnNames,
            HasSignedness = parsed.HasSignedness,
            UnknownMetadataFields = parsed.UnknownFields,
        };
    }

    /// <summary>
    /// A copy whose numeric columns take their signedness from <paramref name="isUnsigned"/> (one entry
    /// per column), for binlogs written with binlog_row_metadata=MINIMAL where the event does not say.
    /// </summary>
    public TableMapEvent WithSignedness(IReadOnlyList<bool> isUnsigned)
    {
        ArgumentNullException.ThrowIfNull(isUnsigned);
        return WithColumnChanges(c =>
        {
            if (c.Index < isUnsigned.Count)
            {
                c.IsUnsigned = isUnsigned[c.Index] && c.IsNumeric;
                c.IsSignednessKnown = true;
            }
        });
    }

    /// <summary>
    /// A copy whose character columns without a logged character set (MariaDB's binlog_row_metadata=NO_LOG) take the
    /// collation id from <paramref name="collations"/> (one entry per column, null: leave it), so text is decoded in
    /// its own character set and binary strings stay bytes.
    /// </summary>
    public TableMapEvent WithCollations(IReadOnlyList<int?> collations)
    {
        ArgumentNullException.ThrowIfNull(collations);
        var mariaDb = IsMariaDb;
        return WithColumnChanges(c =>
        {
            if (c.Index < collations.Count && collations[c.Index] is { } collation && c.CollationId < 0 && c.IsCharacter(mariaDb))
            {
                c.CollationId = collation;
            }
        });
    }

    /// <summary>True when some character column has no logged character set.</summary>
    public bool HasUnknownCollations
    {
        get
        {
            foreach (var column in _columns)
            {
                if (column.CollationId < 0 && column.IsCharacter(IsMariaDb))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A copy with column names supplied by the caller (MINIMAL metadata).</summary>
    public TableMapEvent WithColumnNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return WithColumnChanges(c =>
        {
            if (c.Index < names.Count)
            {
                c.Name = names[c.Index];
            }
        }) with { HasColumnNames = true };
    }

    private TableMapEvent WithColumnChanges(Action<ColumnDefinition> change)
    {
        var copy = new ColumnDefinition[_columns.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = _columns[i].Clone();
            change(copy[i]);
            copy[i].Prepare();
        }

        return new TableMapEvent(Header, TableId, Flags, Schema, Table, copy, _rawBody, OptionalMetadataOffset, IsMariaDb)
        {
            PrimaryKey = PrimaryKey,
            DefaultCollation = DefaultCollation,
            EnumAndSetDefaultCollation = EnumAndSetDefaultCollation,
            HasColumnNames = HasColumnNames,
            HasSignedness = HasSignedness,
            UnknownMetadataFields = UnknownMetadataFields,
        };
    }

    /// <summary>Bytes of per-column metadata each logged type carries (MySQL table_def).</summary>
    internal static int MetadataSize(ColumnType type) => type switch
    {
        ColumnType.Float or ColumnType.Double or ColumnType.Blob or ColumnType.TinyBlob or ColumnType.MediumBlob
            or ColumnType.LongBlob or ColumnType.Geometry or ColumnType.Json or ColumnType.Vector
            or ColumnType.Time2 or ColumnType.DateTime2 or ColumnType.Timestamp2 => 1,
        ColumnType.String or ColumnType.Enum or ColumnType.Set or ColumnType.Bit or ColumnType.VarChar
            or ColumnType.NewDecimal => 2,
        _ => 0,
    };

    public override string ToString() => $"TableMap {TableId} {Schema}.{Table} ({ColumnCount} columns)";
}

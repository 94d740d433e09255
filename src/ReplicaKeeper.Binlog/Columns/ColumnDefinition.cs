namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// One column as described by a TABLE_MAP event: the logged type and its metadata, nullability, and
/// whatever optional metadata the server sent (binlog_row_metadata=FULL: name, signedness,
/// character set, ENUM/SET values, geometry type, visibility, vector dimensions). Also carries the
/// precomputed decoding plan the row decoder follows.
/// </summary>
public sealed class ColumnDefinition
{
    internal ColumnDefinition(int index, ColumnType binlogType, ushort metadata, bool isNullable)
    {
        Index = index;
        BinlogType = binlogType;
        Metadata = metadata;
        IsNullable = isNullable;
        Type = ResolveType(binlogType, metadata, out var maxLength);
        MaxLength = maxLength;
    }

    /// <summary>0-based position in the table.</summary>
    public int Index { get; }

    /// <summary>The type code written in the TABLE_MAP event.</summary>
    public ColumnType BinlogType { get; }

    /// <summary>
    /// The real type: <see cref="ColumnType.Enum"/> / <see cref="ColumnType.Set"/> for ENUM/SET (logged
    /// as STRING), otherwise <see cref="BinlogType"/>.
    /// </summary>
    public ColumnType Type { get; }

    /// <summary>The type's metadata as MySQL's table_def keeps it (e.g. precision&lt;&lt;8|scale, fsp, length bytes).</summary>
    public ushort Metadata { get; }

    public bool IsNullable { get; }

    /// <summary>Column name (binlog_row_metadata=FULL), else null.</summary>
    public string? Name { get; internal set; }

    /// <summary>UNSIGNED numeric column. From the SIGNEDNESS metadata, or supplied by the caller.</summary>
    public bool IsUnsigned { get; internal set; }

    /// <summary>True when <see cref="IsUnsigned"/> came from the event or the caller (false: assumed signed).</summary>
    public bool IsSignednessKnown { get; internal set; }

    /// <summary>Collation id of a character or ENUM/SET column, or -1 when the event does not say.</summary>
    public int CollationId { get; internal set; } = -1;

    /// <summary>ENUM member names (1-based index i is EnumValues[i-1]) or SET member names (bit i), when logged.</summary>
    public IReadOnlyList<string>? Values { get; internal set; }

    /// <summary>GEOMETRY subtype code (0 = GEOMETRY, 1 = POINT, ...), when logged.</summary>
    public int? GeometryType { get; internal set; }

    /// <summary>False for INVISIBLE columns (MySQL 8.0.23+), when logged; true otherwise.</summary>
    public bool IsVisible { get; internal set; } = true;

    /// <summary>VECTOR maximum dimensions, when logged.</summary>
    public int? VectorDimensions { get; internal set; }

    /// <summary>Part of the primary key (with <see cref="PrimaryKeyPrefix"/> bytes, 0 = whole column).</summary>
    public bool IsPrimaryKey { get; internal set; }

    public int PrimaryKeyPrefix { get; internal set; }

    /// <summary>Maximum length in bytes of CHAR/BINARY/VARCHAR/VARBINARY values.</summary>
    public int MaxLength { get; }

    /// <summary>Digits of a DECIMAL column.</summary>
    public int Precision => Type == ColumnType.NewDecimal ? Metadata >> 8 : 0;

    /// <summary>Digits after the point of a DECIMAL column.</summary>
    public int Scale => Type == ColumnType.NewDecimal ? Metadata & 0xFF : 0;

    /// <summary>Fractional-second precision of TIME2/DATETIME2/TIMESTAMP2 columns (0 for the old types).</summary>
    public int Fsp => Type is ColumnType.Time2 or ColumnType.DateTime2 or ColumnType.Timestamp2 ? Metadata : 0;

    /// <summary>Bits of a BIT(n) column.</summary>
    public int BitCount => Type == ColumnType.Bit ? ((Metadata >> 8) * 8) + (Metadata & 0xFF) : 0;

    /// <summary>True for character columns whose bytes are text (not the binary collation).</summary>
    public bool IsText => Plan is DecodePlan.String or DecodePlan.VarString or DecodePlan.Blob && StringKind == ValueKind.Text;

    /// <summary>The column name, or "@n" (1-based) when the table map does not carry names.</summary>
    public string DisplayName => Name ?? "@" + (Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal DecodePlan Plan { get; private set; }

    /// <summary>Length prefix bytes (strings: 1/2, blobs: 1-4) or fixed byte size (decimal, set, enum, bit, temporal).</summary>
    internal int Size { get; private set; }

    internal ValueKind StringKind { get; private set; } = ValueKind.Text;

    /// <summary>Numeric columns carry a bit in SIGNEDNESS.</summary>
    internal bool IsNumeric => Type is ColumnType.Tiny or ColumnType.Short or ColumnType.Int24 or ColumnType.Long
        or ColumnType.LongLong or ColumnType.NewDecimal or ColumnType.Float or ColumnType.Double;

    /// <summary>Columns that take a slot in DEFAULT_CHARSET / COLUMN_CHARSET.</summary>
    internal bool IsCharacter(bool mariaDb) => Type is ColumnType.String or ColumnType.VarString or ColumnType.VarChar
        or ColumnType.Blob or ColumnType.TinyBlob or ColumnType.MediumBlob or ColumnType.LongBlob
        || (mariaDb ? Type == ColumnType.Geometry : Type == ColumnType.Vector);

    internal bool IsEnumOrSet => Type is ColumnType.Enum or ColumnType.Set;

    internal ColumnDefinition Clone() => new(Index, BinlogType, Metadata, IsNullable)
    {
        Name = Name,
        IsUnsigned = IsUnsigned,
        IsSignednessKnown = IsSignednessKnown,
        CollationId = CollationId,
        Values = Values,
        GeometryType = GeometryType,
        IsVisible = IsVisible,
        VectorDimensions = VectorDimensions,
        IsPrimaryKey = IsPrimaryKey,
        PrimaryKeyPrefix = PrimaryKeyPrefix,
    };

    /// <summary>Fixes the decoding plan once all metadata is known. Throws on types that cannot be decoded.</summary>
    internal void Prepare()
    {
        switch (Type)
        {
            case ColumnType.Tiny: Plan = DecodePlan.Int8; break;
            case ColumnType.Short: Plan = DecodePlan.Int16; break;
            case ColumnType.Int24: Plan = DecodePlan.Int24; break;
            case ColumnType.Long: Plan = DecodePlan.Int32; break;
            case ColumnType.LongLong: Plan = DecodePlan.Int64; break;
            case ColumnType.Float: Plan = DecodePlan.Float; break;
            case ColumnType.Double: Plan = DecodePlan.Double; break;
            case ColumnType.Null: Plan = DecodePlan.Null; break;
            case ColumnType.NewDecimal:
                Plan = DecodePlan.Decimal;
                Size = DecimalCodec.BinarySize(Precision, Scale);
                break;
            case ColumnType.Year: Plan = DecodePlan.Year; break;
            case ColumnType.Date or ColumnType.NewDate: Plan = DecodePlan.Date; break;
            case ColumnType.Time: Plan = DecodePlan.Time; break;
            case ColumnType.Time2: Plan = DecodePlan.Time2; Size = 3 + ((Metadata + 1) / 2); break;
            case ColumnType.DateTime: Plan = DecodePlan.DateTime; break;
            case ColumnType.DateTime2: Plan = DecodePlan.DateTime2; Size = 5 + ((Metadata + 1) / 2); break;
            case ColumnType.Timestamp: Plan = DecodePlan.Timestamp; break;
            case ColumnType.Timestamp2: Plan = DecodePlan.Timestamp2; Size = 4 + ((Metadata + 1) / 2); break;
            case ColumnType.Bit:
                Plan = DecodePlan.Bit;
                Size = (Metadata >> 8) + ((Metadata & 0xFF) > 0 ? 1 : 0);
                break;
            case ColumnType.Enum: Plan = DecodePlan.Enum; Size = Metadata & 0xFF; break;
            case ColumnType.Set: Plan = DecodePlan.Set; Size = Metadata & 0xFF; break;
            case ColumnType.String:
                Plan = DecodePlan.String;
                Size = MaxLength > 255 ? 2 : 1;
                break;
            case ColumnType.VarChar or ColumnType.VarString:
                Plan = DecodePlan.VarString;
                Size = MaxLength > 255 ? 2 : 1;
                break;
            case ColumnType.Blob or ColumnType.TinyBlob or ColumnType.MediumBlob or ColumnType.LongBlob:
                Plan = DecodePlan.Blob;
                Size = Metadata;
                break;
            case ColumnType.Json: Plan = DecodePlan.Json; Size = Metadata; break;
            case ColumnType.Geometry: Plan = DecodePlan.Geometry; Size = Metadata; break;
            case ColumnType.Vector: Plan = DecodePlan.Vector; Size = Metadata; break;
            default:
                Plan = DecodePlan.Unsupported;
                break;
        }

        if (Plan is DecodePlan.Blob or DecodePlan.Json or DecodePlan.Geometry or DecodePlan.Vector && Size is < 1 or > 4)
        {
            Plan = DecodePlan.Unsupported;
        }

        if (Plan is DecodePlan.Enum && Size is not (1 or 2) || Plan is DecodePlan.Set && Size is < 1 or > 8)
        {
            Plan = DecodePlan.Unsupported;
        }

        StringKind = CollationId == TextEncoding.BinaryCollation ? ValueKind.Binary : ValueKind.Text;
    }

    private static ColumnType ResolveType(ColumnType binlogType, ushort metadata, out int maxLength)
    {
        maxLength = 0;
        switch (binlogType)
        {
            case ColumnType.String:
            {
                int byte0 = metadata >> 8, byte1 = metadata & 0xFF;
                if (metadata >= 256 && (byte0 & 0x30) != 0x30)
                {
                    // CHAR(n) with n * mbmaxlen > 255: the length's high bits hide in byte0 (MySQL bug #37426).
                    maxLength = byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
                    return (ColumnType)(byte0 | 0x30);
                }

                if (metadata >= 256)
                {
                    maxLength = byte1;
                    return (ColumnType)byte0 is ColumnType.Enum or ColumnType.Set ? (ColumnType)byte0 : ColumnType.String;
                }

                maxLength = metadata;
                return ColumnType.String;
            }

            case ColumnType.VarChar or ColumnType.VarString:
                maxLength = metadata;
                return binlogType;
            default:
                return binlogType;
        }
    }

    public override string ToString() => $"{DisplayName} {Type}";
}

/// <summary>How the row decoder reads a column's bytes (fixed per table map).</summary>
internal enum DecodePlan : byte
{
    Unsupported,
    Null,
    Int8,
    Int16,
    Int24,
    Int32,
    Int64,
    Float,
    Double,
    Decimal,
    Year,
    Date,
    Time,
    Time2,
    DateTime,
    DateTime2,
    Timestamp,
    Timestamp2,
    Bit,
    Enum,
    Set,
    String,
    VarString,
    Blob,
    Json,
    Geometry,
    Vector,
}

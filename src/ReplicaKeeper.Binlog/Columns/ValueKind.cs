namespace ReplicaKeeper.Binlog.Columns;

/// <summary>What a <see cref="ColumnValue"/> cell holds and where its value lives.</summary>
public enum ValueKind : byte
{
    /// <summary>The column is not part of this row image (MINIMAL / NOBLOB images).</summary>
    Absent = 0,

    /// <summary>SQL NULL.</summary>
    Null,

    /// <summary>Signed TINYINT..BIGINT: <see cref="ColumnValue.Int64"/>.</summary>
    Int64,

    /// <summary>UNSIGNED TINYINT..BIGINT: <see cref="ColumnValue.UInt64"/>.</summary>
    UInt64,

    /// <summary>FLOAT: <see cref="ColumnValue.Single"/>.</summary>
    Single,

    /// <summary>DOUBLE: <see cref="ColumnValue.Double"/>.</summary>
    Double,

    /// <summary>DECIMAL: binary digits in the slice; text via ToDecimalString.</summary>
    Decimal,

    /// <summary>YEAR: <see cref="ColumnValue.Int64"/> is the year (0 for the zero year).</summary>
    Year,

    /// <summary>DATE: year/month/day packed in the inline bits (zero and partial dates allowed).</summary>
    Date,

    /// <summary>TIME/TIME2: signed microseconds in <see cref="ColumnValue.Int64"/>.</summary>
    Time,

    /// <summary>DATETIME/DATETIME2: wall-clock fields packed in the inline bits.</summary>
    DateTime,

    /// <summary>TIMESTAMP/TIMESTAMP2: UTC seconds since the epoch and microseconds in the inline bits.</summary>
    Timestamp,

    /// <summary>BIT(n): <see cref="ColumnValue.UInt64"/>.</summary>
    Bit,

    /// <summary>ENUM: 1-based index in <see cref="ColumnValue.Int64"/> (0 = the empty error value).</summary>
    Enum,

    /// <summary>SET: member bitmask in <see cref="ColumnValue.UInt64"/>.</summary>
    Set,

    /// <summary>CHAR/VARCHAR/TEXT in a character set: bytes in the slice.</summary>
    Text,

    /// <summary>BINARY/VARBINARY/BLOB (binary collation): bytes in the slice.</summary>
    Binary,

    /// <summary>MySQL binary JSON in the slice.</summary>
    Json,

    /// <summary>
    /// PARTIAL_UPDATE_ROWS after image: JSON diffs in the slice, to apply to the before image's JSON
    /// (whose slice, when the before image carries the column, is recorded in the inline bits).
    /// </summary>
    JsonDiff,

    /// <summary>GEOMETRY: SRID (4 bytes LE) + WKB in the slice.</summary>
    Geometry,

    /// <summary>VECTOR: little-endian float32 values in the slice.</summary>
    Vector,
}

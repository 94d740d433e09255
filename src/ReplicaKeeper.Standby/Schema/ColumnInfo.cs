namespace ReplicaKeeper.Standby.Schema;

/// <summary>One column as information_schema.COLUMNS describes it.</summary>
/// <param name="Name">Column name.</param>
/// <param name="DataType">DATA_TYPE, lower case ("int", "varchar", "datetime", ...).</param>
/// <param name="ColumnType">COLUMN_TYPE ("int(10) unsigned", "enum('a','b')", ...).</param>
/// <param name="IsNullable">Whether NULL is allowed.</param>
/// <param name="IsGenerated">A generated (virtual or stored) column: never written, the server computes it.</param>
public sealed record ColumnInfo(string Name, string DataType, string ColumnType, bool IsNullable, bool IsGenerated, int? CollationId = null)
{
    public bool IsUnsigned => ColumnType.Contains("unsigned", StringComparison.OrdinalIgnoreCase);

    /// <summary>How a value of this column is read from one server and written to another without loss.</summary>
    public ValueTransfer Transfer => DataType switch
    {
        "decimal" or "numeric" => ValueTransfer.Text,
        "date" or "datetime" or "timestamp" or "time" or "year" => ValueTransfer.Text,
        "char" or "varchar" or "tinytext" or "text" or "mediumtext" or "longtext" or "enum" or "set" => ValueTransfer.Text,
        "json" => ValueTransfer.Text,
        "binary" or "varbinary" or "tinyblob" or "blob" or "mediumblob" or "longblob" => ValueTransfer.Bytes,
        "geometry" or "point" or "linestring" or "polygon" or "multipoint" or "multilinestring" or "multipolygon"
            or "geometrycollection" or "geomcollection" => ValueTransfer.Bytes,
        "vector" => ValueTransfer.Bytes,
        "bit" => ValueTransfer.Native,
        _ => ValueTransfer.Native,
    };
}

/// <summary>How a column's values travel between servers.</summary>
public enum ValueTransfer
{
    /// <summary>MySqlConnector's own typed value (integers, floats, BIT).</summary>
    Native,

    /// <summary>The server's text form (exact for DECIMAL, temporal values incl. zero dates, strings, JSON).</summary>
    Text,

    /// <summary>Raw bytes (binary strings, BLOBs, GEOMETRY in the internal SRID+WKB format, VECTOR).</summary>
    Bytes,
}

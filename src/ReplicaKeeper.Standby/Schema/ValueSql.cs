using System.Globalization;
using System.Text;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Schema;

/// <summary>SQL expressions that read a column's value losslessly and hash a row deterministically.</summary>
public static class ValueSql
{
    private static readonly HashSet<string> StringTypes = new(StringComparer.Ordinal)
    {
        "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set",
    };

    /// <summary>
    /// The select expression that yields the column's value as <see cref="ColumnInfo.Transfer"/> says: the column
    /// itself for native, binary and character values, <c>CAST(... AS CHAR)</c> for DECIMAL, temporal and JSON values
    /// (their exact text; the session time zone must be UTC for TIMESTAMP).
    /// </summary>
    public static string Read(ColumnInfo column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var quoted = SqlText.Quote(column.Name);
        return column.Transfer == ValueTransfer.Text && !StringTypes.Contains(column.DataType)
            ? $"CAST({quoted} AS CHAR)"
            : quoted;
    }

    /// <summary>
    /// A text form of the column that is the same on every server for equal values and unambiguous in a row:
    /// HEX of the stored bytes for strings, binary strings, JSON, BIT and GEOMETRY; the server's text otherwise.
    /// NULL stays NULL (the row text adds a NULL mask).
    /// </summary>
    public static string HashText(ColumnInfo column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var quoted = SqlText.Quote(column.Name);
        return column.Transfer is ValueTransfer.Bytes || StringTypes.Contains(column.DataType) || column.DataType is "json" or "bit"
            ? $"HEX({quoted})"
            : $"CAST({quoted} AS CHAR)";
    }

    /// <summary>
    /// SHA-256 (hex) of the row (MD5 and SHA1 are missing from Debian's MySQL 9.7 build; SHA2 exists everywhere): the columns' <see cref="HashText"/> joined with '|' (CONCAT_WS skips NULLs) followed by a
    /// NULL mask, so NULL, '' and a missing column all hash differently.
    /// </summary>
    public static string RowHash(IReadOnlyList<ColumnInfo> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var builder = new StringBuilder("SHA2(CONCAT_WS('|', ");
        foreach (var column in columns)
        {
            builder.Append(HashText(column)).Append(", ");
        }

        builder.Append("CONCAT('#'");
        foreach (var column in columns)
        {
            builder.Append(", ISNULL(").Append(SqlText.Quote(column.Name)).Append(')');
        }

        builder.Append(")), 256)");
        return builder.ToString();
    }

    /// <summary>A value as an operator reads it in a message: numbers plain, text quoted, bytes as 0x hex.</summary>
    public static string Display(object? value) => value switch
    {
        null or DBNull => "NULL",
        string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>"a=1, b='x'".</summary>
    public static string DisplayKey(IReadOnlyList<string> names, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        return string.Join(", ", names.Select((name, i) => name + "=" + Display(values[i])));
    }
}

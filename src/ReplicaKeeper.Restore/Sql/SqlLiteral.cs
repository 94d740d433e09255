using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Restore.Sql;

/// <summary>
/// Decoded row values as exact SQL literals: integers and exact DECIMAL text unquoted, FLOAT/DOUBLE
/// round-trip text, temporal values quoted with their fractional digits (TIMESTAMP in UTC: the script
/// sets time_zone='+00:00'), text quoted with backslash escapes, binary/BLOB/GEOMETRY/VECTOR as hex
/// literals, BIT as b'...', ENUM/SET by name, JSON as a quoted document, NULL as NULL.
/// </summary>
public static class SqlLiteral
{
    /// <summary>The literal for <paramref name="column"/> of <paramref name="image"/>; null when the image lacks the column.</summary>
    public static string? Format(RowImage image, int column)
    {
        ArgumentNullException.ThrowIfNull(image);
        ref readonly var v = ref image[column];
        return v.Kind switch
        {
            ValueKind.Absent => null,
            ValueKind.Null => "NULL",
            ValueKind.Int64 or ValueKind.Year => v.Int64.ToString(CultureInfo.InvariantCulture),
            ValueKind.UInt64 => v.UInt64.ToString(CultureInfo.InvariantCulture),
            ValueKind.Single => FormatFloat(v.Single.ToString("R", CultureInfo.InvariantCulture)),
            ValueKind.Double => FormatFloat(v.Double.ToString("R", CultureInfo.InvariantCulture)),
            ValueKind.Decimal => image.ToDecimalString(column),
            ValueKind.Date or ValueKind.DateTime or ValueKind.Time or ValueKind.Timestamp => "'" + TemporalFormat.ToString(v) + "'",
            ValueKind.Bit => Bits(v.UInt64, image.Column(column).BitCount),
            ValueKind.Enum or ValueKind.Set or ValueKind.Text => Quote(image.GetString(column) ?? string.Empty),
            ValueKind.Json or ValueKind.JsonDiff => Quote(image.ToJsonText(column)),
            ValueKind.Binary => Hex(image.GetBinary(column)),
            _ => Hex(image.GetBytes(column)),
        };
    }

    /// <summary>'text' with \, ', NUL, newline, carriage return and Ctrl-Z escaped (the server's default sql_mode reads these).</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '\'' => builder.Append(@"\'"),
                '\0' => builder.Append(@"\0"),
                '\n' => builder.Append(@"\n"),
                '\r' => builder.Append(@"\r"),
                '\x1a' => builder.Append(@"\Z"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>`name` with backticks doubled.</summary>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "''" : "X'" + Convert.ToHexString(bytes) + "'";

    private static string Bits(ulong value, int count)
    {
        var width = Math.Max(1, count);
        return "b'" + Convert.ToString((long)value, 2).PadLeft(width, '0') + "'";
    }

    private static string FormatFloat(string text) => text switch
    {
        "NaN" or "Infinity" or "-Infinity" => "NULL",
        _ => text,
    };
}

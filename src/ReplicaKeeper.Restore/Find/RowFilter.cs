using System.Globalization;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Restore.Find;

/// <summary>
/// A conjunction of <c>column=value</c> conditions ("id=4711 AND name='Ann'"), evaluated on decoded
/// row images: numeric columns compare numerically (so 4711 matches 4711.0 in a DECIMAL), everything
/// else by its text (strings in their character set, temporal values as MySQL prints them, ENUM by name).
/// Value NULL matches SQL NULL. No SQL engine: no OR, no comparisons other than equality.
/// </summary>
public sealed class RowFilter
{
    private RowFilter(IReadOnlyList<(string Column, string? Value)> conditions) => Conditions = conditions;

    public IReadOnlyList<(string Column, string? Value)> Conditions { get; }

    public static RowFilter None { get; } = new([]);

    public static RowFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var conditions = new List<(string, string?)>();
        foreach (var part in SplitOnAnd(text))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--where condition '{part}' is not column=value");
            }

            var column = part[..eq].Trim().Trim('`');
            var value = part[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0])
            {
                conditions.Add((column, value[1..^1].Replace(new string(value[0], 2), new string(value[0], 1), StringComparison.Ordinal)));
            }
            else if (value.Equals("NULL", StringComparison.OrdinalIgnoreCase))
            {
                conditions.Add((column, null));
            }
            else
            {
                conditions.Add((column, value));
            }
        }

        return new RowFilter(conditions);
    }

    /// <summary>True when every condition holds for <paramref name="image"/>; a column the table does not have never matches.</summary>
    public bool Matches(RowImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        foreach (var (column, value) in Conditions)
        {
            var index = FindColumn(image, column);
            if (index < 0 || !image.IsPresent(index) || !ValueEquals(image, index, value))
            {
                return false;
            }
        }

        return true;
    }

    internal static int FindColumn(RowImage image, string name)
    {
        for (var i = 0; i < image.ColumnCount; i++)
        {
            if (string.Equals(image.Column(i).DisplayName, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool ValueEquals(RowImage image, int column, string? expected)
    {
        if (image.IsNull(column) || expected is null)
        {
            return image.IsNull(column) && expected is null;
        }

        ref readonly var v = ref image[column];
        switch (v.Kind)
        {
            case ValueKind.Int64 or ValueKind.Year:
                return long.TryParse(expected, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l == v.Int64 : DecimalEquals(v.Int64.ToString(CultureInfo.InvariantCulture), expected);
            case ValueKind.UInt64 or ValueKind.Bit or ValueKind.Set when ulong.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out var u):
                return u == v.UInt64;
            case ValueKind.Enum when long.TryParse(expected, NumberStyles.None, CultureInfo.InvariantCulture, out var e):
                return e == v.Int64;
            case ValueKind.Decimal:
                return DecimalEquals(image.ToDecimalString(column), expected);
            case ValueKind.Single or ValueKind.Double:
                return double.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == image.GetDouble(column);
            case ValueKind.Binary:
                return string.Equals(Convert.ToHexString(image.GetBinary(column)), expected.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? expected[2..] : Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(expected)), StringComparison.OrdinalIgnoreCase);
            default:
                return string.Equals(image.GetString(column), expected, StringComparison.Ordinal);
        }
    }

    private static bool DecimalEquals(string actual, string expected) =>
        decimal.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
        && decimal.TryParse(expected, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
        && a == b;

    private static IEnumerable<string> SplitOnAnd(string text)
    {
        var start = 0;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (i + 5 <= text.Length && text.AsSpan(i, 5).Equals(" AND ", StringComparison.OrdinalIgnoreCase))
            {
                yield return text[start..i].Trim();
                start = i + 5;
                i += 4;
            }
        }

        yield return text[start..].Trim();
    }
}

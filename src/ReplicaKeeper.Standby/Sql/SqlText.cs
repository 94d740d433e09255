using System.Text;

namespace ReplicaKeeper.Standby.Sql;

/// <summary>Identifier quoting for the SQL the standby builds (values always go in as parameters).</summary>
public static class SqlText
{
    /// <summary><c>`name`</c> with embedded backticks doubled.</summary>
    public static string Quote(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        return "`" + identifier.Replace("`", "``", StringComparison.Ordinal) + "`";
    }

    /// <summary><c>`schema`.`table`</c>.</summary>
    public static string Quote(string schema, string table) => Quote(schema) + "." + Quote(table);

    /// <summary>A comma-separated list of quoted identifiers.</summary>
    public static string QuoteList(IEnumerable<string> identifiers) => string.Join(", ", identifiers.Select(Quote));

    /// <summary>"(a, b)" for several names, "a" for one: the left side of a (row) comparison.</summary>
    public static string RowOf(IReadOnlyList<string> columns) =>
        columns.Count == 1 ? Quote(columns[0]) : "(" + QuoteList(columns) + ")";

    /// <summary>"(@p0, @p1)" or "@p0": placeholders matching <see cref="RowOf"/>.</summary>
    public static string Placeholders(string prefix, int count)
    {
        var builder = new StringBuilder();
        if (count != 1)
        {
            builder.Append('(');
        }

        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append('@').Append(prefix).Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (count != 1)
        {
            builder.Append(')');
        }

        return builder.ToString();
    }
}

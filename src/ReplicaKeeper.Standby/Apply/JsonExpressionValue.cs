using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Json;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// A MySQL JSON cell that JSON text would not write back exactly (it holds DECIMAL or temporal scalars, which MySQL
/// would parse as DOUBLE and string): the <see cref="JsonSqlExpression"/> that re-creates the binary document, with
/// positional <c>?</c> placeholders, and their values in order. Its SQL depends on the document's shape, so
/// statements with such a cell are built per row, never cached.
/// </summary>
internal sealed class JsonExpressionValue
{
    private JsonExpressionValue(string sql, object[] values)
    {
        Sql = sql;
        Values = values;
    }

    /// <summary>The expression with one <c>?</c> per value (its fixed text has no other <c>?</c>).</summary>
    public string Sql { get; }

    public object[] Values { get; }

    /// <summary>The cell's expression, or null when its JSON text re-creates it (no opaque values).</summary>
    public static JsonExpressionValue? From(RowImage image, int column)
    {
        var values = new List<object>();
        var sql = JsonSqlExpression.TryBuild(image, column, value =>
        {
            values.Add(value);
            return "?";
        });
        return sql is null ? null : new JsonExpressionValue(sql, [.. values]);
    }

    /// <summary>The expression with named placeholders @pN counting up from <paramref name="firstParameter"/>.</summary>
    public string Named(int firstParameter)
    {
        var named = new StringBuilder(Sql.Length + (Values.Length * 4));
        var next = firstParameter;
        foreach (var c in Sql)
        {
            _ = c == '?' ? named.Append("@p").Append((next++).ToString(CultureInfo.InvariantCulture)) : named.Append(c);
        }

        return named.ToString();
    }

    /// <summary>Estimated bytes of its values in a statement.</summary>
    public long EstimatedSize => Sql.Length + Values.Sum(StatementPipeline.EstimatedSize);
}

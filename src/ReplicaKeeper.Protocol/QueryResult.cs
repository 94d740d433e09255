namespace ReplicaKeeper.Protocol;

/// <summary>
/// The first result set of a text-protocol query (values as strings, NULL as null; binary column
/// values are decoded as UTF-8), or, for a statement without a result set, the OK packet's counts.
/// </summary>
public sealed class QueryResult
{
    public QueryResult(IReadOnlyList<ColumnDefinition> columns, IReadOnlyList<string?[]> rows, ulong affectedRows, ulong lastInsertId)
    {
        Columns = columns;
        Rows = rows;
        AffectedRows = affectedRows;
        LastInsertId = lastInsertId;
    }

    public IReadOnlyList<ColumnDefinition> Columns { get; }

    public IReadOnlyList<string?[]> Rows { get; }

    /// <summary>Affected rows from the OK packet of a statement without a result set.</summary>
    public ulong AffectedRows { get; }

    public ulong LastInsertId { get; }

    /// <summary>Index of the column named <paramref name="name"/> (case-insensitive), or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Value of <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public string? Value(int row, string column)
    {
        int index = IndexOf(column);
        if (index < 0)
        {
            throw new ArgumentException($"The result has no column '{column}'.", nameof(column));
        }

        return Rows[row][index];
    }
}

namespace ReplicaKeeper.Standby.Schema;

/// <summary>A base table's columns (in ordinal order) and the key rows are located by.</summary>
/// <param name="Name">The table.</param>
/// <param name="Columns">All columns in ordinal order.</param>
/// <param name="PrimaryKey">Primary key column names (empty when the table has none).</param>
/// <param name="UniqueKeys">Unique keys whose columns are all NOT NULL (usable instead of a primary key).</param>
public sealed record TableInfo(TableName Name, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<string> PrimaryKey, IReadOnlyList<IReadOnlyList<string>> UniqueKeys)
{
    /// <summary>The primary key, else the first NOT NULL unique key, else empty (rows are then matched by all columns).</summary>
    public IReadOnlyList<string> RowKey => PrimaryKey.Count > 0 ? PrimaryKey : UniqueKeys.Count > 0 ? UniqueKeys[0] : [];

    public ColumnInfo Column(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"Table {Name} has no column '{name}'.");
}

using MySqlConnector;

namespace ReplicaKeeper.Standby.Schema;

/// <summary>Reads table lists and table definitions from information_schema.</summary>
public static class SchemaCatalog
{
    /// <summary>Base tables outside the excluded schemas (see <see cref="TableName.ExcludedSchemas"/>), sorted.</summary>
    public static async Task<IReadOnlyList<TableName>> ListTablesAsync(MySqlConnection connection, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        const string sql = "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'";
        var tables = new List<TableName>();
        await using var command = new MySqlCommand(sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var name = new TableName(reader.GetString(0), reader.GetString(1));
            if (!TableName.IsExcludedSchema(name.Schema))
            {
                tables.Add(name);
            }
        }

        tables.Sort();
        return tables;
    }

    /// <summary>Schemas (databases) outside the excluded ones, sorted.</summary>
    public static async Task<IReadOnlyList<string>> ListSchemasAsync(MySqlConnection connection, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var schemas = new List<string>();
        await using var command = new MySqlCommand("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var schema = reader.GetString(0);
            if (!TableName.IsExcludedSchema(schema))
            {
                schemas.Add(schema);
            }
        }

        schemas.Sort(StringComparer.Ordinal);
        return schemas;
    }

    /// <summary>The collation id of binary strings.</summary>
    private const int BinaryCollationId = 63;

    /// <summary>The table's definition, or null when it does not exist.</summary>
    public static async Task<TableInfo?> DescribeAsync(MySqlConnection connection, TableName table, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var columns = new List<ColumnInfo>();
        await using (var command = new MySqlCommand(
            "SELECT c.COLUMN_NAME, LOWER(c.DATA_TYPE), c.COLUMN_TYPE, c.IS_NULLABLE, c.EXTRA, co.ID FROM information_schema.COLUMNS c " +
            "LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME " +
            "WHERE c.TABLE_SCHEMA = @schema AND c.TABLE_NAME = @table ORDER BY c.ORDINAL_POSITION", connection, transaction))
        {
            command.Parameters.AddWithValue("@schema", table.Schema);
            command.Parameters.AddWithValue("@table", table.Table);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var extra = reader.IsDBNull(4) ? "" : reader.GetString(4);
                var dataType = reader.GetString(1);
                int? collation = !reader.IsDBNull(5) ? Convert.ToInt32(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture)
                    : dataType is "binary" or "varbinary" or "tinyblob" or "blob" or "mediumblob" or "longblob" ? BinaryCollationId : null;
                columns.Add(new ColumnInfo(
                    reader.GetString(0),
                    dataType,
                    reader.GetString(2),
                    string.Equals(reader.GetString(3), "YES", StringComparison.OrdinalIgnoreCase),
                    extra.Contains("GENERATED", StringComparison.OrdinalIgnoreCase)
                        || extra.Contains("VIRTUAL", StringComparison.OrdinalIgnoreCase)
                        || extra.Contains("PERSISTENT", StringComparison.OrdinalIgnoreCase)
                        || extra.Contains("STORED", StringComparison.OrdinalIgnoreCase),
                    collation));
            }
        }

        if (columns.Count == 0)
        {
            return null;
        }

        var keys = new SortedDictionary<string, List<(int Seq, string Column, bool Nullable)>>(StringComparer.Ordinal);
        await using (var command = new MySqlCommand(
            "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NULLABLE, SUB_PART FROM information_schema.STATISTICS " +
            "WHERE TABLE_SCHEMA = @schema AND TABLE_NAME = @table AND NON_UNIQUE = 0", connection, transaction))
        {
            command.Parameters.AddWithValue("@schema", table.Schema);
            command.Parameters.AddWithValue("@table", table.Table);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (reader.IsDBNull(2))
                {
                    continue; // functional key part: not usable to locate rows
                }

                var index = reader.GetString(0);
                if (!keys.TryGetValue(index, out var parts))
                {
                    keys[index] = parts = [];
                }

                var nullable = !reader.IsDBNull(3) && string.Equals(reader.GetString(3), "YES", StringComparison.OrdinalIgnoreCase);
                // a prefix key (SUB_PART) locates rows only approximately: treat it as unusable by marking it nullable
                parts.Add((Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(2), nullable || !reader.IsDBNull(4)));
            }
        }

        IReadOnlyList<string> primaryKey = keys.TryGetValue("PRIMARY", out var pk) && pk.All(p => !p.Nullable)
            ? pk.OrderBy(p => p.Seq).Select(p => p.Column).ToList()
            : [];
        var unique = keys.Where(k => k.Key != "PRIMARY" && k.Value.All(p => !p.Nullable))
            .Select(k => (IReadOnlyList<string>)k.Value.OrderBy(p => p.Seq).Select(p => p.Column).ToList())
            .OrderBy(k => k.Count)
            .ToList();
        return new TableInfo(table, columns, primaryKey, unique);
    }
}

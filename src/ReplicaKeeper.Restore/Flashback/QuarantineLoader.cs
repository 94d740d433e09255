using System.Text;
using MySqlConnector;
using ReplicaKeeper.Restore.Sql;

namespace ReplicaKeeper.Restore.Flashback;

/// <summary>
/// Loads a flashback's before images into a quarantine schema on the target (CREATE TABLE q.t LIKE s.t, then the
/// rows), and lists them side by side with the production row of the same primary key. Writes nothing outside
/// the quarantine schema.
/// </summary>
public static class QuarantineLoader
{
    public static async Task<IReadOnlyList<string>> LoadAsync(FlashbackScript script, string connectionString, string quarantineSchema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        await using var connection = new MySqlConnection(new MySqlConnectionStringBuilder(connectionString) { AllowUserVariables = true }.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "SET SESSION time_zone = '+00:00'", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "CREATE DATABASE IF NOT EXISTS " + SqlLiteral.Identifier(quarantineSchema), cancellationToken).ConfigureAwait(false);
        var diff = new List<string>();
        foreach (var ((schema, table), rows) in script.QuarantineRows)
        {
            var quarantined = SqlLiteral.Identifier(quarantineSchema) + "." + SqlLiteral.Identifier(table);
            var production = SqlLiteral.Identifier(schema) + "." + SqlLiteral.Identifier(table);
            await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {quarantined} LIKE {production}", cancellationToken).ConfigureAwait(false);
            foreach (var (columns, values) in rows)
            {
                await ExecuteAsync(connection, $"REPLACE INTO {quarantined} ({columns}) VALUES ({values})", cancellationToken).ConfigureAwait(false);
            }

            diff.AddRange(await DiffAsync(connection, quarantined, production, cancellationToken).ConfigureAwait(false));
        }

        return diff;
    }

    private static async Task<List<string>> DiffAsync(MySqlConnection connection, string quarantined, string production, CancellationToken cancellationToken)
    {
        var key = new List<string>();
        await using (var command = new MySqlCommand($"SHOW KEYS FROM {quarantined} WHERE Key_name = 'PRIMARY'", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                key.Add(SqlLiteral.Identifier(reader.GetString(reader.GetOrdinal("Column_name"))));
            }
        }

        var lines = new List<string> { $"{quarantined}  vs  {production}" };
        var join = key.Count == 0 ? "FALSE" : string.Join(" AND ", key.Select(k => $"p.{k} <=> q.{k}"));
        await using var select = new MySqlCommand($"SELECT q.*, '|', p.* FROM {quarantined} q LEFT JOIN {production} p ON {join}", connection);
        await using var rows = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var half = (rows.FieldCount - 1) / 2;
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var left = new StringBuilder();
            var right = new StringBuilder();
            var missing = true;
            for (var i = 0; i < half; i++)
            {
                left.Append(i > 0 ? ", " : "").Append(Show(rows.GetValue(i)));
                var p = rows.GetValue(half + 1 + i);
                missing &= p is DBNull;
                right.Append(i > 0 ? ", " : "").Append(Show(p));
            }

            lines.Add($"  quarantine: {left}");
            lines.Add(missing ? "  production: (row missing)" : $"  production: {right}");
        }

        return lines;
    }

    private static string Show(object value) => value switch
    {
        DBNull => "NULL",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

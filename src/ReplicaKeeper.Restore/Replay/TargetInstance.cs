using MySqlConnector;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>Checks on the instance a restore writes into.</summary>
public static class TargetInstance
{
    private static readonly string[] SystemSchemas = ["mysql", "information_schema", "performance_schema", "sys"];

    /// <summary>User schemas on the instance (anything but the system ones).</summary>
    public static async Task<IReadOnlyList<string>> UserSchemasAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new MySqlCommand("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var schemas = new List<string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            if (!SystemSchemas.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                schemas.Add(name);
            }
        }

        return schemas;
    }

    /// <summary>
    /// Makes an instance that holds data a restore target (restore --overwrite): drops its user schemas and forgets
    /// its binary logs and GTID history (MySQL would otherwise skip every replayed transaction whose GTID it has executed).
    /// </summary>
    public static async Task ResetAsync(string connectionString, CancellationToken cancellationToken)
    {
        await DropSchemasAsync(connectionString, await UserSchemasAsync(connectionString, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var isMariaDb = connection.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
        await using var command = new MySqlCommand(isMariaDb ? "RESET MASTER" : "RESET BINARY LOGS AND GTIDS", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the given schemas.</summary>
    public static async Task DropSchemasAsync(string connectionString, IEnumerable<string> schemas, CancellationToken cancellationToken)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var schema in schemas)
        {
            await using var command = new MySqlCommand("DROP DATABASE " + Sql.SqlLiteral.Identifier(schema), connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

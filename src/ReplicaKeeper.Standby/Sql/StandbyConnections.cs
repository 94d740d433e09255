using MySqlConnector;

namespace ReplicaKeeper.Standby.Sql;

/// <summary>
/// Opens MySqlConnector connections with the settings exact copying needs: zero dates allowed and not converted,
/// TINYINT(1) and CHAR(36) left alone (no bool/Guid guessing), user variables allowed, the server's own
/// "rows matched" count for UPDATE (so a no-op update of an existing row is not mistaken for a missing row).
/// </summary>
public static class StandbyConnections
{
    /// <summary>The caller's connection string with the standby's required settings applied.</summary>
    public static string Normalize(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            AllowZeroDateTime = true,
            ConvertZeroDateTime = false,
            TreatTinyAsBoolean = false,
            GuidFormat = MySqlGuidFormat.None,
            AllowUserVariables = true,
            UseAffectedRows = false,
            CharacterSet = "utf8mb4",
            Pooling = false,
        };
        return builder.ConnectionString;
    }

    /// <summary>Opens a connection and detects the server flavour.</summary>
    public static async Task<(MySqlConnection Connection, ServerFlavor Flavor)> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new MySqlConnection(Normalize(connectionString));
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var flavor = connection.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? ServerFlavor.MariaDb : ServerFlavor.MySql;
            return (connection, flavor);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one statement without results.</summary>
    public static async Task ExecuteAsync(this MySqlConnection connection, string sql, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>First column of the first row, as text (null for no row or NULL).</summary>
    public static async Task<string?> ScalarTextAsync(this MySqlConnection connection, string sql, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand(sql, connection, transaction);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return value switch
        {
            null or DBNull => null,
            byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
            IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}

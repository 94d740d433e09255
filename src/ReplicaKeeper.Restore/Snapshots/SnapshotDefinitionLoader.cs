using System.Text.RegularExpressions;
using MySqlConnector;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Creates a snapshot's procedures, functions and events on the target, each under the sql_mode, collation_connection
/// (the character set and collation of its string literals) and, for events, time_zone it was defined with; the loader's
/// own session settings are put back afterwards. The text is sent as Unicode (utf8mb4 client character set), so the
/// routine's recorded character_set_client becomes utf8mb4; what its body means is unchanged.
/// <para>
/// Events are always created DISABLED (their ENABLE / DISABLE ON SLAVE / DISABLE ON REPLICA clause is rewritten before
/// the statement is sent, so no scheduler run can happen in between): a restored scratch instance or standby must not
/// start writing on a schedule. The loader's result names them with the statement that enables each.
/// </para>
/// </summary>
internal static partial class SnapshotDefinitionLoader
{
    /// <summary>Creates <paramref name="definition"/>; for an event, returns what became of it (null when the server dropped it at once).</summary>
    public static async Task<SnapshotDisabledEvent?> CreateAsync(MySqlConnection connection, SnapshotDefinition definition, CancellationToken ct)
    {
        var isEvent = definition.Kind == SnapshotDefinitions.Event;
        var sql = isEvent ? Disabled(definition) : definition.CreateSql;
        var session = await connection.ScalarTextAsync(
            "SELECT CONCAT_WS(CHAR(9), @@SESSION.sql_mode, @@SESSION.collation_connection, @@SESSION.time_zone)", ct).ConfigureAwait(false);
        var saved = (session ?? "").Split('\t');
        try
        {
            await SetSessionAsync(connection, definition.SqlMode ?? "", definition.CollationConnection ?? saved[1], definition.TimeZone ?? saved[2], ct).ConfigureAwait(false);
            await connection.ExecuteAsync("USE " + SqlText.Quote(definition.Schema), ct).ConfigureAwait(false);
            await connection.ExecuteAsync(sql, ct).ConfigureAwait(false);
        }
        catch (MySqlException ex)
        {
            throw new InvalidOperationException($"{definition.Kind.ToLowerInvariant()} {definition.Schema}.{definition.Name} cannot be created on the target: {ex.Message}", ex);
        }
        finally
        {
            await SetSessionAsync(connection, saved[0], saved[1], saved[2], CancellationToken.None).ConfigureAwait(false);
        }

        if (!isEvent)
        {
            return null;
        }

        await using var command = new MySqlCommand("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = @schema AND EVENT_NAME = @name", connection);
        command.Parameters.AddWithValue("@schema", definition.Schema);
        command.Parameters.AddWithValue("@name", definition.Name);
        var status = (string?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        if (status is null)
        {
            return null; // a one-time event whose time has passed, ON COMPLETION NOT PRESERVE: the server drops it at once
        }

        if (!string.Equals(status, "DISABLED", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"event {definition.Schema}.{definition.Name} was created {status}, not DISABLED; disable it before the scheduler runs it");
        }

        return new SnapshotDisabledEvent(definition.Schema, definition.Name, definition.Status);
    }

    /// <summary>The event's CREATE text with its status clause (always printed by SHOW CREATE EVENT) made DISABLE.</summary>
    internal static string Disabled(SnapshotDefinition definition)
    {
        var match = StatusClause().Match(definition.CreateSql);
        if (!match.Success)
        {
            throw new InvalidOperationException(
                $"event {definition.Schema}.{definition.Name}: its definition has no ON COMPLETION ... ENABLE/DISABLE clause to make DISABLE; it was not created");
        }

        return string.Concat(definition.CreateSql.AsSpan(0, match.Index), match.Groups[1].Value, " DISABLE", definition.CreateSql.AsSpan(match.Index + match.Length));
    }

    private static async Task SetSessionAsync(MySqlConnection connection, string sqlMode, string collation, string timeZone, CancellationToken ct)
    {
        await using var command = new MySqlCommand("SET SESSION sql_mode = @mode, SESSION collation_connection = @collation, SESSION time_zone = @zone", connection);
        command.Parameters.AddWithValue("@mode", sqlMode);
        command.Parameters.AddWithValue("@collation", collation);
        command.Parameters.AddWithValue("@zone", timeZone);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    [GeneratedRegex(@"(\bON\s+COMPLETION\s+(?:NOT\s+)?PRESERVE)\s+(?:ENABLE|DISABLE\s+ON\s+(?:SLAVE|REPLICA)|DISABLE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatusClause();
}

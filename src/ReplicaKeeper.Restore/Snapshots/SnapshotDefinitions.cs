using MySqlConnector;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Reads the stored procedures, functions and events of the snapshotted schemas with the session settings each was
/// defined under (<c>SHOW CREATE PROCEDURE/FUNCTION/EVENT</c>: sql_mode, character_set_client, collation_connection,
/// and for events time_zone), definer removed like views and triggers. Definitions are not versioned by InnoDB: they
/// are read as they are when the snapshot reaches them (DDL during a snapshot is a known limit, as for tables).
/// </summary>
internal static class SnapshotDefinitions
{
    public const string Procedure = "PROCEDURE";
    public const string Function = "FUNCTION";
    public const string Event = "EVENT";

    /// <summary>Procedures and functions (not MariaDB's Oracle-mode packages), by schema, kind and name.</summary>
    public static async Task<IReadOnlyList<SnapshotDefinition>> ReadRoutinesAsync(MySqlConnection connection, string skippedSchemas, CancellationToken ct)
    {
        var names = await ListAsync(connection,
            $"SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA NOT IN ({skippedSchemas}) " +
            "AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_SCHEMA, ROUTINE_TYPE DESC, ROUTINE_NAME", ct).ConfigureAwait(false);
        var routines = new List<SnapshotDefinition>();
        foreach (var (schema, name, kind) in names)
        {
            routines.Add(await ShowCreateAsync(connection, kind, schema, name, null, ct).ConfigureAwait(false));
        }

        return routines;
    }

    /// <summary>Events by schema and name, each with the status it has on the standby.</summary>
    public static async Task<IReadOnlyList<SnapshotDefinition>> ReadEventsAsync(MySqlConnection connection, string skippedSchemas, CancellationToken ct)
    {
        var names = await ListAsync(connection,
            $"SELECT EVENT_SCHEMA, EVENT_NAME, STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA NOT IN ({skippedSchemas}) ORDER BY EVENT_SCHEMA, EVENT_NAME", ct).ConfigureAwait(false);
        var events = new List<SnapshotDefinition>();
        foreach (var (schema, name, status) in names)
        {
            events.Add(await ShowCreateAsync(connection, Event, schema, name, status, ct).ConfigureAwait(false));
        }

        return events;
    }

    private static async Task<SnapshotDefinition> ShowCreateAsync(MySqlConnection connection, string kind, string schema, string name, string? status, CancellationToken ct)
    {
        var sql = $"SHOW CREATE {kind} {SqlText.Quote(schema, name)}";
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var createColumn = kind switch { Procedure => "Create Procedure", Function => "Create Function", _ => "Create Event" };
        if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.IsDBNull(reader.GetOrdinal(createColumn)))
        {
            throw new InvalidOperationException(
                $"'{sql}' shows no definition: the snapshot user needs SELECT on mysql.proc/mysql.event (MariaDB) or SHOW_ROUTINE / EVENT privileges (MySQL), or it was dropped during the snapshot");
        }

        string? Text(string column)
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (string.Equals(reader.GetName(i), column, StringComparison.OrdinalIgnoreCase))
                {
                    return reader.IsDBNull(i) ? null : reader.GetString(i);
                }
            }

            return null;
        }

        return new SnapshotDefinition(
            kind,
            schema,
            name,
            SnapshotTaker.WithoutDefiner(Text(createColumn)!),
            Text("sql_mode"),
            Text("character_set_client"),
            Text("collation_connection"),
            Text("time_zone"),
            status);
    }

    private static async Task<List<(string, string, string)>> ListAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        var rows = new List<(string, string, string)>();
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }
}

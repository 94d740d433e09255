using MySqlConnector;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>
/// A scheduled event left disabled on the restored instance: events come out of a snapshot DISABLED and events the
/// replay created stay disabled as on a replica (SLAVESIDE_DISABLED / REPLICA_SIDE_DISABLED), so a restored instance
/// never starts writing on a schedule. The operator enables the ones it should run with <see cref="EnableStatement"/>.
/// </summary>
/// <param name="Schema">The event's schema.</param>
/// <param name="Name">The event's name.</param>
/// <param name="Status">Its status on the restored instance (information_schema.EVENTS.STATUS).</param>
/// <param name="StatusOnSource">Its status where the snapshot was taken (the standby), when the snapshot recorded it.</param>
public sealed record DisabledEvent(string Schema, string Name, string Status, string? StatusOnSource = null)
{
    public string EnableStatement => "ALTER EVENT " + SqlText.Quote(Schema, Name) + " ENABLE";

    public override string ToString() => Schema + "." + Name + " (" + Status + (StatusOnSource is null ? "" : ", " + StatusOnSource + " on the standby") + ")";

    /// <summary>The events of the instance whose status is not ENABLED, by schema and name.</summary>
    public static async Task<IReadOnlyList<DisabledEvent>> ReadAsync(MySqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand(
            "SELECT EVENT_SCHEMA, EVENT_NAME, STATUS FROM information_schema.EVENTS WHERE STATUS <> 'ENABLED' ORDER BY EVENT_SCHEMA, EVENT_NAME", connection);
        var events = new List<DisabledEvent>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(new DisabledEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        return events;
    }
}

using MySqlConnector;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>What kind of schema object besides base tables.</summary>
internal enum SourceObjectKind
{
    View,
    Procedure,
    Function,
    Trigger,
    Event,
    Sequence,
}

/// <summary>A view, routine, trigger, event or (MariaDB) sequence of the source.</summary>
/// <param name="Order">Triggers: ACTION_ORDER (their firing order among the table's triggers of the same timing and
/// event; created in that order, they fire in it on the target too). 0 for other objects.</param>
/// <param name="Table">Triggers: the table they are defined on (in <paramref name="Schema"/>). Null for other objects.</param>
internal sealed record SourceObject(SourceObjectKind Kind, string Schema, string Name, long Order = 0, string? Table = null)
{
    public string KindText => Kind.ToString().ToLowerInvariant();

    public override string ToString() => Schema + "." + Name;

    /// <summary>
    /// Every such object outside the system schemas, views in name order (dependencies are resolved when creating),
    /// triggers in firing order.
    /// </summary>
    public static async Task<IReadOnlyList<SourceObject>> ListAsync(MySqlConnection source, CancellationToken ct)
    {
        const string sql = """
            SELECT 'View', TABLE_SCHEMA, TABLE_NAME, 0, NULL FROM information_schema.TABLES WHERE TABLE_TYPE IN ('VIEW', 'SYSTEM VIEW')
            UNION ALL SELECT 'Sequence', TABLE_SCHEMA, TABLE_NAME, 0, NULL FROM information_schema.TABLES WHERE TABLE_TYPE = 'SEQUENCE'
            UNION ALL SELECT CASE ROUTINE_TYPE WHEN 'FUNCTION' THEN 'Function' ELSE 'Procedure' END, ROUTINE_SCHEMA, ROUTINE_NAME, 0, NULL FROM information_schema.ROUTINES
            UNION ALL SELECT 'Trigger', TRIGGER_SCHEMA, TRIGGER_NAME, ACTION_ORDER, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS
            UNION ALL SELECT 'Event', EVENT_SCHEMA, EVENT_NAME, 0, NULL FROM information_schema.EVENTS
            """;
        var objects = new List<SourceObject>();
        await using var command = new MySqlCommand(sql, source);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var schema = reader.GetString(1);
            if (!TableName.IsExcludedSchema(schema))
            {
                objects.Add(new SourceObject(Enum.Parse<SourceObjectKind>(reader.GetString(0)), schema, reader.GetString(2), Convert.ToInt64(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
        }

        return [.. objects.OrderBy(o => o.Kind).ThenBy(o => o.Schema, StringComparer.Ordinal).ThenBy(o => o.Order).ThenBy(o => o.Name, StringComparer.Ordinal)];
    }
}

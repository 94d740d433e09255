using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// What the target already holds of a seed's plan: schemas copied whole (every schema when there is no filter),
/// single tables, and a position row of the channel. A seed refuses all of it unless forced, then drops it.
/// </summary>
internal static class TargetInventory
{
    public static async Task<IReadOnlyList<string>> FindAsync(MySqlConnection target, SeedPlan plan, string channel, CancellationToken ct)
    {
        var found = new List<string>();
        var targetSchemas = await SchemaCatalog.ListSchemasAsync(target, ct).ConfigureAwait(false);
        var targetTables = await SchemaCatalog.ListTablesAsync(target, ct).ConfigureAwait(false);
        var wholeSchemas = plan.Everything ? targetSchemas : targetSchemas.Where(s => plan.WholeSchemas.Contains(s, StringComparer.Ordinal));
        foreach (var schema in wholeSchemas)
        {
            var tables = targetTables.Count(t => t.Schema == schema);
            found.Add(string.Create(CultureInfo.InvariantCulture, $"schema {SqlText.Quote(schema)} ({tables} table{(tables == 1 ? "" : "s")})"));
        }

        foreach (var table in plan.Tables.Where(t => !plan.WholeSchemas.Contains(t.Schema, StringComparer.Ordinal) && targetTables.Contains(t)))
        {
            found.Add($"table {table.Quoted}");
        }

        if (await PositionStore.ReadAsync(target, channel, ct).ConfigureAwait(false) is { } position)
        {
            found.Add($"replicakeeper.applied_position of channel '{channel}' at {position.Position} (updated {position.UpdatedAt:u})");
        }

        return found;
    }

    /// <summary>--force: forgets the channel's position first (so a crash later leaves no position over half-copied data), then drops.</summary>
    public static async Task DropAsync(MySqlConnection target, SeedPlan plan, string channel, Serilog.ILogger log, CancellationToken ct)
    {
        if (await PositionStore.ReadAsync(target, channel, ct).ConfigureAwait(false) is not null)
        {
            await using var command = new MySqlCommand($"DELETE FROM {SqlText.Quote(TableName.PositionSchemaName, "applied_position")} WHERE channel = @channel", target);
            command.Parameters.AddWithValue("@channel", channel);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            log.Warning("Forgot the applied position of channel {Channel}", channel);
        }

        var targetSchemas = await SchemaCatalog.ListSchemasAsync(target, ct).ConfigureAwait(false);
        var dropSchemas = plan.Everything ? targetSchemas : targetSchemas.Where(s => plan.WholeSchemas.Contains(s, StringComparer.Ordinal)).ToList();
        foreach (var schema in dropSchemas)
        {
            log.Warning("Dropping schema {Schema} on the target (--force)", schema);
            await target.ExecuteAsync($"DROP DATABASE {SqlText.Quote(schema)}", ct).ConfigureAwait(false);
        }

        foreach (var table in plan.Tables.Where(t => !plan.WholeSchemas.Contains(t.Schema, StringComparer.Ordinal)))
        {
            await target.ExecuteAsync($"DROP TABLE IF EXISTS {table.Quoted}", ct).ConfigureAwait(false);
        }
    }
}

using MySqlConnector;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// Re-creates the source's definitions on the target from its own <c>SHOW CREATE ...</c> text (read inside the
/// snapshot's transaction; definitions are not versioned, so a DDL on the source during the seed is a known limit).
/// </summary>
internal sealed class SchemaCopier(MySqlConnection source, MySqlConnection target, Serilog.ILogger log)
{
    public async Task CreateSchemaAsync(string schema, CancellationToken ct)
    {
        var create = await ShowCreateAsync($"SHOW CREATE DATABASE {SqlText.Quote(schema)}", 1, ct).ConfigureAwait(false);
        var exists = await SchemaCatalog.ListSchemasAsync(target, ct).ConfigureAwait(false);
        if (!exists.Contains(schema, StringComparer.Ordinal))
        {
            await RunAsync(create, null, ct).ConfigureAwait(false);
        }
    }

    public async Task CreateTableAsync(TableName table, CancellationToken ct)
    {
        var create = await ShowCreateAsync($"SHOW CREATE TABLE {table.Quoted}", 1, ct).ConfigureAwait(false);
        await RunAsync(create, table.Schema, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the views; one that refers to a view not created yet fails and is retried after the others, until a
    /// round creates nothing. Returns the views created and those that could not be, with the server's reason.
    /// </summary>
    public async Task<(IReadOnlyList<string> Created, IReadOnlyList<SkippedObject> Failed)> CreateViewsAsync(IReadOnlyList<SourceObject> views, CancellationToken ct)
    {
        var definitions = new List<(SourceObject View, string Sql)>();
        foreach (var view in views)
        {
            definitions.Add((view, await ShowCreateAsync($"SHOW CREATE VIEW {SqlText.Quote(view.Schema, view.Name)}", 1, ct).ConfigureAwait(false)));
        }

        var created = new List<string>();
        var errors = new Dictionary<SourceObject, string>();
        var pending = definitions;
        while (pending.Count > 0)
        {
            var next = new List<(SourceObject View, string Sql)>();
            foreach (var (view, sql) in pending)
            {
                try
                {
                    await RunAsync(sql, view.Schema, ct).ConfigureAwait(false);
                    created.Add(view.ToString());
                    errors.Remove(view);
                }
                catch (MySqlException e) when (IsDefinitionError(e))
                {
                    errors[view] = e.Message;
                    next.Add((view, sql));
                }
            }

            if (next.Count == pending.Count)
            {
                break;
            }

            pending = next;
        }

        return (created, [.. errors.Select(e => new SkippedObject("view", e.Key.ToString(), $"CREATE VIEW failed on the target: {e.Value}"))]);
    }

    /// <summary>Creates a stored procedure or function with the sql_mode it was defined with; null when created, else why not.</summary>
    public async Task<SkippedObject?> CreateRoutineAsync(SourceObject routine, CancellationToken ct)
    {
        var kind = routine.Kind == SourceObjectKind.Function ? "FUNCTION" : "PROCEDURE";
        var definition = await ShowDefinitionAsync($"SHOW CREATE {kind} {SqlText.Quote(routine.Schema, routine.Name)}", ct).ConfigureAwait(false);
        if (definition is not { } found)
        {
            return new SkippedObject(routine.KindText, routine.ToString(), "it disappeared from the source during the seed");
        }

        var (sql, sqlMode) = found;

        if (sql is null)
        {
            return new SkippedObject(routine.KindText, routine.ToString(), "the source shows no definition (the seeding user lacks privileges on it)");
        }

        try
        {
            await RunWithSqlModeAsync(sql, sqlMode, routine.Schema, ct).ConfigureAwait(false);
            return null;
        }
        catch (MySqlException e) when (IsDefinitionError(e))
        {
            return new SkippedObject(routine.KindText, routine.ToString(), $"CREATE {kind} failed on the target: {e.Message}");
        }
    }

    /// <summary>
    /// Creates a trigger guarded (<see cref="TriggerGuard"/>), with the sql_mode it was defined with: on the standby it
    /// does nothing for the applier's rows (the source's trigger already changed what it changes, and the binlog has
    /// those rows) and behaves as on the source in every other session, so it works after promotion. Null when
    /// created, else why not.
    /// </summary>
    public async Task<SkippedObject?> CreateTriggerAsync(SourceObject trigger, CancellationToken ct)
    {
        var definition = await ShowDefinitionAsync($"SHOW CREATE TRIGGER {SqlText.Quote(trigger.Schema, trigger.Name)}", ct).ConfigureAwait(false);
        if (definition is not { } found)
        {
            return new SkippedObject(trigger.KindText, trigger.ToString(), "it disappeared from the source during the seed");
        }

        var (sql, sqlMode) = found;

        if (sql is null)
        {
            return new SkippedObject(trigger.KindText, trigger.ToString(), "the source shows no definition (the seeding user lacks privileges on it)");
        }

        string guarded;
        try
        {
            guarded = TriggerGuard.Guard(sql);
        }
        catch (FormatException e)
        {
            return new SkippedObject(trigger.KindText, trigger.ToString(), $"not copied: {e.Message} Create it guarded by hand (see TriggerGuard) or when promoting.");
        }

        try
        {
            await RunWithSqlModeAsync(guarded, sqlMode, trigger.Schema, ct).ConfigureAwait(false);
            return null;
        }
        catch (MySqlException e) when (IsDefinitionError(e))
        {
            return new SkippedObject(trigger.KindText, trigger.ToString(), $"CREATE TRIGGER failed on the target: {e.Message}");
        }
    }

    /// <summary>Columns 1 (sql_mode) and 2 (the statement) of SHOW CREATE PROCEDURE/FUNCTION/TRIGGER; null when no row.</summary>
    private async Task<(string? Sql, string? SqlMode)?> ShowDefinitionAsync(string show, CancellationToken ct)
    {
        await using var command = new MySqlCommand(show, source);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        return (reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>Runs a definition under the sql_mode it was created with (it is stored with the object), then restores the seed's.</summary>
    private async Task RunWithSqlModeAsync(string sql, string? sqlMode, string schema, CancellationToken ct)
    {
        try
        {
            await using (var command = new MySqlCommand("SET SESSION sql_mode = @mode", target))
            {
                command.Parameters.AddWithValue("@mode", sqlMode ?? "");
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await RunAsync(sql, schema, ct).ConfigureAwait(false);
        }
        finally
        {
            await target.ExecuteAsync($"SET SESSION sql_mode = '{StandbySeeder.TargetSqlMode}'", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool IsDefinitionError(MySqlException e) =>
        e.InnerException is not (IOException or System.Net.Sockets.SocketException) && e.ErrorCode is not (MySqlErrorCode.QueryInterrupted or MySqlErrorCode.ServerShutdown);

    private async Task<string> ShowCreateAsync(string sql, int column, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, source);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.IsDBNull(column))
        {
            throw new StandbySeedException($"{sql} returned nothing on the source.");
        }

        return reader.GetString(column);
    }

    private async Task RunAsync(string sql, string? schema, CancellationToken ct)
    {
        if (schema is not null && !string.Equals(target.Database, schema, StringComparison.Ordinal))
        {
            await target.ChangeDatabaseAsync(schema, ct).ConfigureAwait(false);
        }

        log.Debug("Target: {Statement}", sql);
        await target.ExecuteAsync(sql, ct).ConfigureAwait(false);
    }
}

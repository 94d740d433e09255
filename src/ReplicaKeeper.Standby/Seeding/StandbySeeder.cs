using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// <c>replicakeeper standby init</c>: seeds an empty standby from the source without locking it, then records the
/// source position the copy corresponds to, so <c>replicakeeper standby</c> resumes exactly after it.
/// <list type="number">
/// <item>One lock-free <see cref="ConsistentSnapshot"/> on the source (MariaDB: exact position; MySQL: exact when no
/// transaction committed while it was taken, else bracketed, see below).</item>
/// <item>Inside it: schemas and base tables created on the target from SHOW CREATE, rows copied table by table
/// (<see cref="TableCopier"/>), then views, stored routines and, last, triggers, guarded (<see cref="TriggerGuard"/>):
/// on the standby they do nothing for ReplicaKeeper's own sessions (this one and the applier's, which write rows a
/// trigger already changed on the source) and work as on the source after promotion. Events are not copied (they
/// would write on the standby): the report names them.</item>
/// <item>Last, in one transaction: the channel's <c>replicakeeper.applied_position</c> row with the snapshot's
/// position. Its presence means the seed is complete; a seed that died earlier left no position (run it again with
/// --force).</item>
/// </list>
/// All tables come from the one snapshot over one source connection: InnoDB cannot share a read view between
/// connections without a lock (FLUSH TABLES WITH READ LOCK), so tables are copied one after the other.
/// <para>
/// MySQL inexact snapshot: the position written is the low end of the bracket, with
/// <see cref="AppliedPosition.IdempotentUntil"/> set to the high end; the applier applies that window idempotently.
/// That is exact only for tables with a primary or unique key, so a seed that would copy a table without one from an
/// inexact snapshot stops and says so.
/// </para>
/// </summary>
public sealed class StandbySeeder(StandbySeedOptions options)
{
    /// <summary>
    /// Zero and invalid dates accepted as they are, 0 kept in AUTO_INCREMENT columns. Not strict: the source may hold
    /// values strict mode refuses (the empty "error" value of an ENUM, dates stored under a lax sql_mode).
    /// </summary>
    internal const string TargetSqlMode = "ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

    private readonly StandbySeedOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly Serilog.ILogger _log = options.Logger;

    public async Task<SeedReport> RunAsync(CancellationToken ct)
    {
        _options.Validate();
        var clock = Stopwatch.StartNew();
        var (sourceConnection, sourceFlavor) = await StandbyConnections.OpenAsync(_options.SourceConnectionString, ct).ConfigureAwait(false);
        await using var source = sourceConnection;
        var (targetConnection, targetFlavor) = await StandbyConnections.OpenAsync(_options.TargetConnectionString, ct).ConfigureAwait(false);
        await using var target = targetConnection;
        if (sourceFlavor != targetFlavor)
        {
            throw new StandbySeedException($"The source is {sourceFlavor} ({source.ServerVersion}) and the target {targetFlavor} ({target.ServerVersion}): a standby must be of the source's flavour.");
        }

        // a slow target must not make the source drop the streamed result
        await source.ExecuteAsync("SET SESSION net_write_timeout = 3600", ct).ConfigureAwait(false);
        await target.ExecuteAsync("SET SESSION time_zone = '+00:00'", ct).ConfigureAwait(false);
        await target.ExecuteAsync($"SET SESSION sql_mode = '{TargetSqlMode}'", ct).ConfigureAwait(false);
        await target.ExecuteAsync("SET SESSION foreign_key_checks = 0", ct).ConfigureAwait(false);
        // triggers are created after the rows, and guarded besides: the copied rows must not fire them
        await target.ExecuteAsync(TriggerGuard.MarkSessionSql, ct).ConfigureAwait(false);

        await using var snapshot = await ConsistentSnapshot.StartAsync(source, sourceFlavor, ct, _options.SnapshotAttempts).ConfigureAwait(false);
        _log.Information("Snapshot of the source at {Position}{Exactness}", snapshot.Low, snapshot.IsExact ? "" : $" .. {snapshot.High} (inexact: the source kept committing)");
        var plan = await SeedPlan.ReadAsync(source, _options, ct).ConfigureAwait(false);

        var found = await TargetInventory.FindAsync(target, plan, _options.Channel, ct).ConfigureAwait(false);
        if (found.Count > 0)
        {
            if (!_options.Force)
            {
                throw new TargetNotEmptyException(found);
            }

            await TargetInventory.DropAsync(target, plan, _options.Channel, _log, ct).ConfigureAwait(false);
        }

        var described = new List<TableInfo>();
        foreach (var table in plan.Tables)
        {
            described.Add(await SchemaCatalog.DescribeAsync(source, table, ct).ConfigureAwait(false)
                ?? throw new StandbySeedException($"Table {table} disappeared from the source during the seed."));
        }

        if (!snapshot.IsExact && described.Where(t => t.RowKey.Count == 0).Select(t => t.Name.ToString()).ToList() is { Count: > 0 } keyless)
        {
            throw new StandbySeedException(
                $"The source kept committing while the snapshot was taken ({_options.SnapshotAttempts} attempts), so the seed is somewhere between {snapshot.Low} and {snapshot.High}. " +
                $"That window is replayed idempotently, which needs a primary or unique key, and {string.Join(", ", keyless)} {(keyless.Count == 1 ? "has" : "have")} none. " +
                "Run init again when writes pause (or add keys).");
        }

        var schemaCopier = new SchemaCopier(source, target, _log);
        foreach (var schema in plan.Schemas)
        {
            await Wrap($"creating schema {SqlText.Quote(schema)}", () => schemaCopier.CreateSchemaAsync(schema, ct)).ConfigureAwait(false);
        }

        foreach (var table in plan.Tables)
        {
            await Wrap($"creating table {table.Quoted}", () => schemaCopier.CreateTableAsync(table, ct)).ConfigureAwait(false);
        }

        var copied = await CopyRowsAsync(source, target, described, ct).ConfigureAwait(false);

        var skipped = new List<SkippedObject>();
        var (views, failedViews) = await schemaCopier.CreateViewsAsync([.. plan.Others.Where(o => o.Kind == SourceObjectKind.View)], ct).ConfigureAwait(false);
        skipped.AddRange(failedViews);
        var routines = new List<string>();
        foreach (var routine in plan.Others.Where(o => o.Kind is SourceObjectKind.Procedure or SourceObjectKind.Function))
        {
            if (await schemaCopier.CreateRoutineAsync(routine, ct).ConfigureAwait(false) is { } failed)
            {
                skipped.Add(failed);
            }
            else
            {
                routines.Add(routine.ToString());
            }
        }

        var triggers = new List<string>();
        foreach (var trigger in plan.Others.Where(o => o.Kind == SourceObjectKind.Trigger))
        {
            if (await schemaCopier.CreateTriggerAsync(trigger, ct).ConfigureAwait(false) is { } failed)
            {
                skipped.Add(failed);
            }
            else
            {
                triggers.Add(trigger.ToString());
            }
        }

        foreach (var other in plan.Others.Where(o => o.Kind is SourceObjectKind.Event or SourceObjectKind.Sequence))
        {
            skipped.Add(new SkippedObject(other.KindText, other.ToString(), other.Kind switch
            {
                SourceObjectKind.Event => "not copied: a scheduled event would write on the standby; create it when promoting",
                _ => "not copied: sequences are not supported by the seed; create it on the standby with its current value",
            }));
        }

        var position = snapshot.Low;
        var idempotentUntil = snapshot.IsExact ? null : snapshot.High;
        await WritePositionAsync(target, position, idempotentUntil, ct).ConfigureAwait(false);
        var report = new SeedReport(position, idempotentUntil, copied, views, routines, triggers, skipped, clock.Elapsed);
        _log.Information("Seeded {Tables} tables ({Rows} rows, {Bytes} bytes) in {Elapsed}; the standby resumes at {Position}", copied.Count, report.TotalRows, report.TotalBytes, clock.Elapsed, position);
        return report;
    }

    private async Task<IReadOnlyList<SeededTable>> CopyRowsAsync(MySqlConnection source, MySqlConnection target, IReadOnlyList<TableInfo> tables, CancellationToken ct)
    {
        var maxPacket = long.Parse(await target.ScalarTextAsync("SELECT @@GLOBAL.max_allowed_packet", ct).ConfigureAwait(false) ?? "4194304", System.Globalization.CultureInfo.InvariantCulture);
        var copier = new TableCopier(source, target, _options.ChunkRows, (int)Math.Max(1024, Math.Min(_options.ChunkBytes, maxPacket / 2)));
        var results = new List<SeededTable>();
        long totalRows = 0;
        long totalBytes = 0;
        for (var i = 0; i < tables.Count; i++)
        {
            var table = tables[i];
            long tableRows = 0;
            var number = i + 1;
            var result = await copier.CopyAsync(table, (rows, bytes) =>
            {
                tableRows += rows;
                totalRows += rows;
                totalBytes += bytes;
                _options.Progress?.Report(new SeedProgress(table.Name, number, tables.Count, tableRows, totalRows, totalBytes, false));
            }, ct).ConfigureAwait(false);
            _options.Progress?.Report(new SeedProgress(table.Name, number, tables.Count, tableRows, totalRows, totalBytes, true));
            _log.Information("Copied {Table}: {Rows} rows, {Bytes} bytes ({Number}/{Count})", table.Name.ToString(), result.Rows, result.Bytes, number, tables.Count);
            results.Add(result);
        }

        return results;
    }

    /// <summary>The step that ends the seed: the channel's position (and no DDL records from an earlier life), in one commit.</summary>
    private async Task WritePositionAsync(MySqlConnection target, StandbyPosition position, StandbyPosition? idempotentUntil, CancellationToken ct)
    {
        await PositionStore.EnsureSchemaAsync(target, ct).ConfigureAwait(false);
        await using var transaction = await target.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new MySqlCommand($"DELETE FROM {SqlText.Quote(TableName.PositionSchemaName, "applied_ddl")} WHERE channel = @channel", target, transaction))
        {
            command.Parameters.AddWithValue("@channel", _options.Channel);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await PositionStore.WriteAsync(target, transaction, new AppliedPosition(_options.Channel, position, "standby init", idempotentUntil, null, null, DateTime.UtcNow), ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task Wrap(string what, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (MySqlException e) when (e.ErrorCode is not (MySqlErrorCode.QueryInterrupted or MySqlErrorCode.ServerShutdown))
        {
            throw new StandbySeedException($"Failed {what} (error {(int)e.ErrorCode}: {e.Message}).", e);
        }
    }
}

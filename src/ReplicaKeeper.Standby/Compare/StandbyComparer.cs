using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.Standby.Sql;
using Serilog;

namespace ReplicaKeeper.Standby.Compare;

/// <summary>
/// Compares the source and the standby table by table at a common position: a consistent snapshot on the source
/// (with its exact position, see <see cref="ConsistentSnapshot"/>), the standby's applied position (its
/// <c>replicakeeper.applied_position</c> row, written in the same transaction as the data) waited for until it
/// reaches that position, then a consistent snapshot on the standby whose applied position must be exactly the
/// source's. When the standby has no position table, both are compared as they are (and the report says so).
/// </summary>
public sealed class StandbyComparer(CompareOptions options, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? Serilog.Core.Logger.None;

    public async Task<CompareReport> CompareAsync(CancellationToken ct)
    {
        options.Validate();
        var (source, sourceFlavor) = await StandbyConnections.OpenAsync(options.SourceConnectionString, ct).ConfigureAwait(false);
        await using var sourceConnection = source;
        var (target, _) = await StandbyConnections.OpenAsync(options.TargetConnectionString, ct).ConfigureAwait(false);
        await using var targetConnection = target;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using var sourceSnapshot = await ConsistentSnapshot.StartAsync(source, sourceFlavor, ct).ConfigureAwait(false);
            var sourcePosition = sourceSnapshot.High;
            if (!sourceSnapshot.IsExact)
            {
                await RetryOrThrowAsync(deadline, $"the source kept committing while its snapshot was taken (between {sourceSnapshot.Low} and {sourceSnapshot.High})", ct).ConfigureAwait(false);
                continue;
            }

            var applied = await PositionStore.ReadAsync(target, options.Channel, ct).ConfigureAwait(false);
            if (applied is null)
            {
                _log.Warning("The target has no replicakeeper.applied_position row for channel {Channel}: comparing without waiting for a common position", options.Channel);
                await using var plain = await StartTargetSnapshotAsync(target, ct).ConfigureAwait(false);
                return new CompareReport(await CompareTablesAsync(source, target, ct).ConfigureAwait(false), sourcePosition, null, false);
            }

            while (!applied.Position.Covers(sourcePosition))
            {
                if (deadline.Elapsed > options.WaitTimeout)
                {
                    throw new CompareTimeoutException(
                        $"The standby did not reach the source's position within {options.WaitTimeout.TotalSeconds:0.#} s: source at {sourcePosition}, " +
                        $"standby applied {applied.Position} (last transaction {applied.LastTransaction ?? "none"}, updated {applied.UpdatedAt:u}). " +
                        "Is `replicakeeper standby` running? Compare again when it has caught up, or raise --wait-timeout.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                applied = await PositionStore.ReadAsync(target, options.Channel, ct).ConfigureAwait(false) ?? applied;
            }

            await using var targetSnapshot = await StartTargetSnapshotAsync(target, ct).ConfigureAwait(false);
            var inSnapshot = await PositionStore.ReadAsync(target, options.Channel, ct).ConfigureAwait(false);
            if (inSnapshot is not null && inSnapshot.Position.SameAs(sourcePosition))
            {
                _log.Information("Comparing at {Position}", sourcePosition);
                return new CompareReport(await CompareTablesAsync(source, target, ct).ConfigureAwait(false), sourcePosition, inSnapshot.Position, true);
            }

            await RetryOrThrowAsync(deadline, $"the standby moved past the source snapshot (source {sourcePosition}, standby {inSnapshot?.Position})", ct).ConfigureAwait(false);
        }
    }

    private async Task RetryOrThrowAsync(Stopwatch deadline, string reason, CancellationToken ct)
    {
        if (deadline.Elapsed > options.WaitTimeout)
        {
            throw new CompareTimeoutException(
                $"No common position within {options.WaitTimeout.TotalSeconds:0.#} s: {reason}. The source is busy; compare when writes pause, or raise --wait-timeout.");
        }

        _log.Debug("No common position yet: {Reason}", reason);
        await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
    }

    private static async Task<ConsistentSnapshot> StartTargetSnapshotAsync(MySqlConnection target, CancellationToken ct)
    {
        // the standby's own snapshot position does not matter: its applied_position row, read inside it, does
        await target.ExecuteAsync("SET SESSION time_zone = '+00:00'", ct).ConfigureAwait(false);
        await target.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", ct).ConfigureAwait(false);
        return await ConsistentSnapshot.StartWithoutPositionAsync(target, ct).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<TableComparison>> CompareTablesAsync(MySqlConnection source, MySqlConnection target, CancellationToken ct)
    {
        IReadOnlyList<TableName> tables = options.Tables;
        if (tables.Count == 0)
        {
            var all = new SortedSet<TableName>(await SchemaCatalog.ListTablesAsync(source, ct).ConfigureAwait(false));
            all.UnionWith(await SchemaCatalog.ListTablesAsync(target, ct).ConfigureAwait(false));
            tables = [.. all];
        }

        var comparer = new TableComparer(source, target, options);
        var results = new List<TableComparison>();
        foreach (var table in tables)
        {
            var result = await comparer.CompareAsync(table, ct).ConfigureAwait(false);
            _log.Information("{Result}", result.ToString());
            results.Add(result);
        }

        return results;
    }
}

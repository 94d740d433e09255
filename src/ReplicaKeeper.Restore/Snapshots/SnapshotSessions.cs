using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// One or more connections to the standby, each inside an InnoDB consistent snapshot, all of the same committed state,
/// taken without any lock.
/// <para>
/// The standby is written only by ReplicaKeeper's applier, and every applier commit updates
/// <c>replicakeeper.applied_position</c> in the same transaction. So N snapshots started one after the other see the
/// same state exactly when each of them reads the same applied_position row (position, last transaction and the
/// microsecond <c>updated_at</c>): had any commit landed between two of the starts, the later snapshot would see its
/// row. The N starts are sent at once; on a mismatch all are rolled back and started again, up to
/// <see cref="SnapshotOptions.ParallelAttempts"/> times, then one connection is used and the reason kept in
/// <see cref="FallbackReason"/>. (MySQL cannot share a snapshot between sessions; this check is what makes N sessions
/// safe here, on a standby, without FLUSH TABLES WITH READ LOCK.)
/// </para>
/// <para>
/// A standby without a position table (native replication) cannot be checked that way: one connection, with the
/// snapshot bracketed by the standby's own GTID state (<see cref="ConsistentSnapshot.StartAsync"/>).
/// </para>
/// </summary>
internal sealed class SnapshotSessions : IAsyncDisposable
{
    private readonly IReadOnlyList<ConsistentSnapshot> _snapshots;
    private readonly IReadOnlyList<MySqlConnection> _extra;

    private SnapshotSessions(IReadOnlyList<ConsistentSnapshot> snapshots, IReadOnlyList<MySqlConnection> extra, AppliedPosition? applied, string? fallbackReason)
    {
        _snapshots = snapshots;
        _extra = extra;
        Applied = applied;
        FallbackReason = fallbackReason;
    }

    /// <summary>The first connection's snapshot (the one the caller opened); its bracket when there is no position table.</summary>
    public ConsistentSnapshot Primary => _snapshots[0];

    /// <summary>Every connection, each inside a snapshot of the same state; the first is <see cref="Primary"/>'s.</summary>
    public IReadOnlyList<MySqlConnection> Connections => [.. _snapshots.Select(s => s.Connection)];

    /// <summary>The applied_position row read inside the snapshots (the same in each); null when the standby has none.</summary>
    public AppliedPosition? Applied { get; }

    /// <summary>Why fewer connections than asked for are used (null when the wish was met).</summary>
    public string? FallbackReason { get; }

    /// <summary>Starts <paramref name="wanted"/> snapshots of one state (see the class summary), or one with a reason.</summary>
    public static async Task<SnapshotSessions> StartAsync(
        MySqlConnection primary, ServerFlavor flavor, string connectionString, int wanted, string channel, int attempts, CancellationToken ct)
    {
        var outside = await PositionStore.ReadAsync(primary, channel, ct).ConfigureAwait(false);
        if (outside is null)
        {
            var bracketed = await ConsistentSnapshot.StartAsync(primary, flavor, ct).ConfigureAwait(false);
            return new SnapshotSessions([bracketed], [], null,
                wanted > 1 ? $"the standby has no replicakeeper.applied_position row for channel '{channel}', so parallel snapshots cannot be checked to be of one state" : null);
        }

        await PrepareAsync(primary, wanted > 1, ct).ConfigureAwait(false);
        string? reason = null;
        if (wanted > 1)
        {
            var extra = new List<MySqlConnection>();
            try
            {
                for (var i = 1; i < wanted; i++)
                {
                    var (connection, _) = await StandbyConnections.OpenAsync(connectionString, ct).ConfigureAwait(false);
                    extra.Add(connection);
                    await PrepareAsync(connection, parallel: true, ct).ConfigureAwait(false);
                }

                var all = new List<MySqlConnection> { primary };
                all.AddRange(extra);
                for (var attempt = 1; attempt <= attempts; attempt++)
                {
                    var started = await StartAllAsync(all, ct).ConfigureAwait(false);
                    var rows = await Task.WhenAll(all.Select(c => PositionStore.ReadAsync(c, channel, ct))).ConfigureAwait(false);
                    if (rows[0] is { } first && rows.All(r => r is not null && SameRow(first, r)))
                    {
                        var result = new SnapshotSessions(started, extra, first, null);
                        extra = [];
                        return result;
                    }

                    foreach (var snapshot in started)
                    {
                        await snapshot.DisposeAsync().ConfigureAwait(false);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt + Random.Shared.Next(10)), ct).ConfigureAwait(false);
                }

                reason = string.Create(CultureInfo.InvariantCulture,
                    $"the standby's applier committed between the starts of the {wanted} snapshots in each of {attempts} attempts");
            }
            catch (MySqlException ex) when (extra.Count < wanted - 1)
            {
                reason = $"a further connection to the standby could not be opened: {ex.Message}";
            }
            finally
            {
                foreach (var connection in extra)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        var single = await ConsistentSnapshot.StartWithoutPositionAsync(primary, ct).ConfigureAwait(false);
        try
        {
            var inside = await PositionStore.ReadAsync(primary, channel, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the standby's applied_position row for channel '{channel}' vanished during the snapshot");
            return new SnapshotSessions([single], [], inside, reason);
        }
        catch
        {
            await single.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var snapshot in _snapshots)
        {
            await snapshot.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var connection in _extra)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Same row: same position, last transaction, seeding window and commit time (microseconds).</summary>
    internal static bool SameRow(AppliedPosition a, AppliedPosition b) =>
        a.Position.ToString() == b.Position.ToString()
        && a.Position.File == b.Position.File
        && a.LastTransaction == b.LastTransaction
        && a.IdempotentUntil?.ToString() == b.IdempotentUntil?.ToString()
        && a.UpdatedAt == b.UpdatedAt;

    /// <summary>The N starts are sent together so that the window for a commit between them is as short as it can be.</summary>
    private static async Task<ConsistentSnapshot[]> StartAllAsync(List<MySqlConnection> connections, CancellationToken ct)
    {
        var starts = connections.Select(c => ConsistentSnapshot.StartWithoutPositionAsync(c, ct)).ToArray();
        try
        {
            return await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// UTC (stable TIMESTAMP text) and REPEATABLE READ. In parallel, a connection whose table waits for its turn in the
    /// stream stops reading its result set for as long as the tables before it take: the server must not give up on it.
    /// </summary>
    private static async Task PrepareAsync(MySqlConnection connection, bool parallel, CancellationToken ct)
    {
        await connection.ExecuteAsync("SET SESSION time_zone = '+00:00'", ct).ConfigureAwait(false);
        await connection.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", ct).ConfigureAwait(false);
        if (parallel)
        {
            await connection.ExecuteAsync("SET SESSION net_write_timeout = 31536000", ct).ConfigureAwait(false);
        }
    }
}

using MySqlConnector;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// A read-only InnoDB consistent snapshot on the source and the binlog position it corresponds to, taken without
/// any lock (no FLUSH TABLES WITH READ LOCK, no LOCK INSTANCE FOR BACKUP).
/// <para>
/// MariaDB: exact. Within <c>START TRANSACTION WITH CONSISTENT SNAPSHOT</c> the status variables
/// <c>binlog_snapshot_file</c>/<c>binlog_snapshot_position</c> give the binlog position of the snapshot (the binlog
/// and InnoDB commit in one order), and <c>BINLOG_GTID_POS(file, pos)</c> turns it into the GTID position.
/// </para>
/// <para>
/// MySQL (8.0 … 9.x) has no such status (that is a MariaDB/Percona feature). The snapshot is bracketed instead:
/// <c>@@gtid_executed</c> read before it (<see cref="Low"/>: transactions committed in InnoDB before the GTID is added
/// to gtid_executed, so everything in it is visible in the snapshot) and read again after it (<see cref="High"/>).
/// When both reads are equal no transaction committed in between and the snapshot is exactly at <see cref="Low"/>
/// (MySQL Shell's dump utility uses the same check). When the source kept committing, the snapshot is somewhere
/// between the two: a standby seeded from it applies the transactions of (Low, High] idempotently
/// (see <see cref="AppliedPosition.IdempotentUntil"/>). Limitation: a DDL statement inside that window cannot be applied
/// idempotently; the applier stops and names it (run init again).
/// </para>
/// </summary>
public sealed class ConsistentSnapshot : IAsyncDisposable
{
    private ConsistentSnapshot(MySqlConnection connection, ServerFlavor flavor, StandbyPosition low, StandbyPosition high)
    {
        Connection = connection;
        Flavor = flavor;
        Low = low;
        High = high;
    }

    public MySqlConnection Connection { get; }

    public ServerFlavor Flavor { get; }

    /// <summary>Every transaction at or before this position is in the snapshot.</summary>
    public StandbyPosition Low { get; }

    /// <summary>No transaction after this position is in the snapshot.</summary>
    public StandbyPosition High { get; }

    /// <summary>The snapshot corresponds to exactly one position (<see cref="Low"/> == <see cref="High"/>).</summary>
    public bool IsExact => Low.SameAs(High);

    /// <summary>
    /// Starts the snapshot on <paramref name="connection"/> (session time zone UTC so TIMESTAMP text is stable). The
    /// transaction is started with SQL, not a MySqlTransaction: run the snapshot's queries without a transaction object.
    /// MySQL: retries up to <paramref name="attempts"/> times to get an exact bracket before returning an inexact one.
    /// </summary>
    public static async Task<ConsistentSnapshot> StartAsync(MySqlConnection connection, ServerFlavor flavor, CancellationToken ct, int attempts = 20)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.ExecuteAsync("SET SESSION time_zone = '+00:00'", ct).ConfigureAwait(false);
        await connection.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var before = flavor == ServerFlavor.MySql ? await ReadGtidExecutedAsync(connection, ct).ConfigureAwait(false) : null;
            await connection.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", ct).ConfigureAwait(false);
            try
            {
                if (flavor == ServerFlavor.MariaDb)
                {
                    var file = await StatusAsync(connection, "binlog_snapshot_file", ct).ConfigureAwait(false);
                    var offset = await StatusAsync(connection, "binlog_snapshot_position", ct).ConfigureAwait(false);
                    if (string.IsNullOrEmpty(file) || offset is null)
                    {
                        throw new InvalidOperationException("The MariaDB source has no binary log (binlog_snapshot_file is empty): enable log_bin to seed a standby.");
                    }

                    var binlog = new BinlogPosition(file, ulong.Parse(offset, System.Globalization.CultureInfo.InvariantCulture));
                    var gtids = await SourcePositionReader.MariaDbGtidsAtAsync(connection, binlog, ct).ConfigureAwait(false);
                    var exact = new StandbyPosition(null, gtids, binlog);
                    return new ConsistentSnapshot(connection, flavor, exact, exact);
                }

                var after = await SourcePositionReader.ReadCurrentAsync(connection, flavor, ct).ConfigureAwait(false);
                if (after.MySqlGtids == before || attempt >= attempts)
                {
                    var low = after.MySqlGtids == before ? after : new StandbyPosition(before, null, null);
                    return new ConsistentSnapshot(connection, flavor, low, after);
                }
            }
            catch
            {
                await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                throw;
            }

            await connection.ExecuteAsync("ROLLBACK", ct).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), ct).ConfigureAwait(false);
        }
    }

    /// <summary>A consistent snapshot whose binlog position does not matter (e.g. the standby's side of a compare).</summary>
    public static async Task<ConsistentSnapshot> StartWithoutPositionAsync(MySqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", ct).ConfigureAwait(false);
        var none = new StandbyPosition(null, null, null);
        return new ConsistentSnapshot(connection, ServerFlavor.MySql, none, none);
    }

    public async ValueTask DisposeAsync() => await RollbackQuietlyAsync(Connection).ConfigureAwait(false);

    private static async Task RollbackQuietlyAsync(MySqlConnection connection)
    {
        try
        {
            await connection.ExecuteAsync("ROLLBACK", CancellationToken.None).ConfigureAwait(false);
        }
        catch (MySqlException)
        {
            // the connection is gone: nothing to roll back
        }
        catch (InvalidOperationException)
        {
            // the connection is closed
        }
    }

    private static async Task<GtidSet> ReadGtidExecutedAsync(MySqlConnection connection, CancellationToken ct) =>
        GtidSet.Parse(await connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_executed", ct).ConfigureAwait(false) ?? "");

    private static async Task<string?> StatusAsync(MySqlConnection connection, string name, CancellationToken ct)
    {
        await using var command = new MySqlCommand($"SHOW SESSION STATUS LIKE '{name}'", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetString(1) : null;
    }
}

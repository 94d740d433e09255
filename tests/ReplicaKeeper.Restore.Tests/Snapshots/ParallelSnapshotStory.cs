using System.Globalization;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>
/// A standby written the way ReplicaKeeper's applier writes it (every commit changes data in five tables and
/// <c>replicakeeper.applied_position</c> in the same transaction; source position <c>bin.000001:k</c> after transaction
/// k), plus stored routines, a view that calls a function and an enabled event. Played once per class: a snapshot with
/// three connections is taken while that writer commits as fast as it can, and a second one with one connection,
/// then one of each after it stopped;
/// an empty target instance is where the tests load them.
/// </summary>
public abstract class ParallelSnapshotStory(TestServerOptions options) : IAsyncLifetime
{
    public const int Tables = 5;
    public const int Prefilled = 3000;
    private const int PrefillBase = 1_000_000;
    private long _committed;

    public TestServer Standby { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public TempDirectory Archive { get; } = new();

    public SnapshotInfo Parallel { get; private set; } = null!;

    public SnapshotInfo Single { get; private set; } = null!;

    /// <summary>Taken after the writer stopped, with three connections and with one: the same state.</summary>
    public (SnapshotInfo Parallel, SnapshotInfo Single) Quiet { get; private set; }

    /// <summary>The writer's last committed transaction when it was stopped (after both snapshots).</summary>
    public long LastCommitted => Interlocked.Read(ref _committed);

    public async Task InitializeAsync()
    {
        var starts = new[] { TestServer.StartAsync(options with { Standby = true }), TestServer.StartAsync(options with { Standby = true }) };
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            throw;
        }

        (Standby, Target) = (await starts[0], await starts[1]);
        await PrefillAsync();
        await CreateProgramsAsync();

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() => WriteAsync(stop.Token));
        try
        {
            await WaitForAsync(50);
            var layout = new ArchiveLayout(Archive.Path);
            Parallel = await new SnapshotTaker(layout, null).TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString, Connections = 3, BatchRows = 200 }, null, default);
            await WaitForAsync(LastCommitted + 20);
            Single = await new SnapshotTaker(layout, null).TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString, Connections = 1, BatchRows = 200 }, null, default);
            await WaitForAsync(LastCommitted + 20);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        var quiet = new ArchiveLayout(Archive.Path);
        Quiet = (
            await new SnapshotTaker(quiet, null).TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString, Connections = 3, BatchRows = 200 }, null, default),
            await new SnapshotTaker(quiet, null).TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString, Connections = 1, BatchRows = 200 }, null, default));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { Standby, Target }.Where(s => s is not null))
        {
            await server.DisposeAsync();
        }

        Archive.Dispose();
    }

    /// <summary>Source offset (transaction number) a snapshot is stamped with.</summary>
    public static long RecordedTransaction(SnapshotInfo snapshot) => snapshot.Position.Offset ?? throw new InvalidOperationException("no binlog offset recorded");

    /// <summary>The tables' exact content after transaction <paramref name="k"/>, as the writer defines it.</summary>
    public static IReadOnlyList<SortedDictionary<int, long>> ExpectedAfter(long k)
    {
        var tables = new List<SortedDictionary<int, long>>();
        for (var j = 0; j < Tables; j++)
        {
            var rows = new SortedDictionary<int, long>();
            for (var n = 0; n < Prefilled; n++)
            {
                rows[PrefillBase + n] = n * (j + 1);
            }

            for (var t = 1; t <= k; t++)
            {
                rows[(int)t] = t * (j + 1);
                if (rows.ContainsKey((int)(t / 2)))
                {
                    rows[(int)(t / 2)] += t;
                }

                rows[PrefillBase + (int)(t * 7 % Prefilled)] += 1;
            }

            tables.Add(rows);
        }

        return tables;
    }

    /// <summary>Writes <see cref="ExpectedAfter"/> into schema <paramref name="schema"/> of the target (tables like ledger's).</summary>
    public async Task WriteExpectedAsync(string schema, long k)
    {
        await Target.ExecuteAsync($"DROP DATABASE IF EXISTS {schema}; CREATE DATABASE {schema}");
        var expected = ExpectedAfter(k);
        for (var j = 0; j < Tables; j++)
        {
            await Target.ExecuteAsync($"CREATE TABLE {schema}.t{j} LIKE ledger.t{j}");
            foreach (var chunk in expected[j].Chunk(1000))
            {
                await Target.ExecuteAsync($"INSERT INTO {schema}.t{j} (id, v, note) VALUES " + string.Join(",", chunk.Select(r => Row(r.Key, r.Value))));
            }
        }
    }

    private static string Row(int id, long v) => string.Create(CultureInfo.InvariantCulture, $"({id}, {v}, 'row {id % 97} é')");

    private async Task PrefillAsync()
    {
        var sql = new StringBuilder("CREATE DATABASE ledger CHARACTER SET utf8mb4;");
        for (var j = 0; j < Tables; j++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"CREATE TABLE ledger.t{j} (id INT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(40) NOT NULL) ENGINE=InnoDB;");
            sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO ledger.t{j} (id, v, note) VALUES ")
                .AppendJoin(",", Enumerable.Range(0, Prefilled).Select(n => Row(PrefillBase + n, n * (j + 1)))).Append(';');
        }

        await Standby.ExecuteAsync(sql.ToString());
        await using var connection = await Standby.OpenAdminConnectionAsync();
        await PositionStore.EnsureSchemaAsync(connection, default);
        await PositionStore.WriteAsync(connection, null, At(0), default);
    }

    /// <summary>
    /// A function defined under PIPES_AS_CONCAT ('a' || 'b' is 'ab' only there), a procedure whose literal takes the
    /// latin1 connection character set it was defined with, a view that calls the function (so it needs the function
    /// first), an enabled event and a replica-side-disabled one (both scheduled far in the future).
    /// </summary>
    private async Task CreateProgramsAsync()
    {
        await using var connection = await Standby.OpenAdminConnectionAsync();
        foreach (var statement in new[]
        {
            "CREATE DATABASE ops",
            "SET SESSION sql_mode = 'PIPES_AS_CONCAT'",
            "CREATE FUNCTION ops.joined() RETURNS VARCHAR(10) DETERMINISTIC NO SQL RETURN 'a' || 'b'",
            "SET SESSION sql_mode = DEFAULT",
            "SET SESSION collation_connection = 'latin1_swedish_ci'",
            "CREATE PROCEDURE ops.literal_charset() SELECT CHARSET('é')",
            "SET SESSION collation_connection = 'utf8mb4_general_ci'",
            "CREATE VIEW ops.joined_view AS SELECT ops.joined() AS j",
            "CREATE EVENT ops.nightly ON SCHEDULE EVERY 1 DAY STARTS '2037-01-01 00:00:00' ON COMPLETION PRESERVE ENABLE DO DELETE FROM ops.nothing",
            $"CREATE EVENT ops.once ON SCHEDULE AT '2037-06-01 00:00:00' ON COMPLETION NOT PRESERVE DISABLE ON {(Standby.Flavor == ServerFlavor.MariaDb ? "SLAVE" : "REPLICA")} "
                + "COMMENT 'ON COMPLETION PRESERVE ENABLE' DO DELETE FROM ops.nothing",
        })
        {
            await using var command = new MySqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The applier's way: each transaction's data and its applied_position row commit together.</summary>
    private async Task WriteAsync(CancellationToken stop)
    {
        await using var connection = await Standby.OpenAdminConnectionAsync(CancellationToken.None);
        for (var k = 1L; !stop.IsCancellationRequested; k++)
        {
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var sql = new StringBuilder();
            for (var j = 0; j < Tables; j++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO ledger.t{j} (id, v, note) VALUES {Row((int)k, k * (j + 1))};");
                sql.Append(CultureInfo.InvariantCulture, $"UPDATE ledger.t{j} SET v = v + {k} WHERE id = {k / 2};");
                sql.Append(CultureInfo.InvariantCulture, $"UPDATE ledger.t{j} SET v = v + 1 WHERE id = {PrefillBase + (k * 7 % Prefilled)};");
            }

            await using (var command = new MySqlCommand(sql.ToString(), connection, transaction))
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await PositionStore.WriteAsync(connection, transaction, At(k), CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            Interlocked.Exchange(ref _committed, k);
        }
    }

    private static AppliedPosition At(long k) =>
        new("default", new StandbyPosition(null, null, new BinlogPosition("bin.000001", (ulong)k)), "bin.000001:" + k.ToString(CultureInfo.InvariantCulture), null, null, null, DateTime.UtcNow);

    private async Task WaitForAsync(long k)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (LastCommitted < k)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the writer did not reach transaction {k} (it is at {LastCommitted})");
            }

            await Task.Delay(20);
        }
    }
}

public sealed class MariaDbParallelSnapshotStory() : ParallelSnapshotStory(TestServerOptions.MariaDb);

public sealed class MySqlParallelSnapshotStory() : ParallelSnapshotStory(TestServerOptions.MySql);

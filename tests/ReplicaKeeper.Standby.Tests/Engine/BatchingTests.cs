using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Tests.Apply;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Engine;

/// <summary>
/// Batching (consecutive rows events of a table merged into one statement), prepared statements and group commit keep
/// source order and exactly-once: the same key changed several times in one transaction, keyless and composite-key
/// tables, parent/child rows under a foreign key, and a transaction abandoned in the middle of a group.
/// </summary>
public abstract class BatchingTests(SourceAndStandbyFixture servers) : ApplierTestBase(servers)
{
    private static string Workload(string db) => $"""
        CREATE DATABASE {db};
        CREATE TABLE {db}.k (id INT NOT NULL PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
        CREATE TABLE {db}.c (a INT NOT NULL, b INT NOT NULL, v INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
        CREATE TABLE {db}.bag (x INT NULL, y VARCHAR(5) NULL) ENGINE=InnoDB;
        CREATE TABLE {db}.parent (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
        CREATE TABLE {db}.child (id INT NOT NULL PRIMARY KEY, parent INT NOT NULL, FOREIGN KEY (parent) REFERENCES {db}.parent (id)) ENGINE=InnoDB;
        START TRANSACTION;
        INSERT INTO {db}.k VALUES (1, 'a');
        INSERT INTO {db}.k VALUES (2, 'b');
        INSERT INTO {db}.k VALUES (3, 'c');
        DELETE FROM {db}.k WHERE id = 1;
        DELETE FROM {db}.k WHERE id = 2;
        INSERT INTO {db}.k VALUES (1, 'again');
        UPDATE {db}.k SET v = 'u1' WHERE id = 1;
        UPDATE {db}.k SET v = 'u2' WHERE id = 1;
        UPDATE {db}.k SET id = 2 WHERE id = 1;
        UPDATE {db}.k SET id = 1 WHERE id = 3;
        INSERT INTO {db}.c VALUES (1, 1, 1), (1, 2, 2), (2, 1, 3);
        DELETE FROM {db}.c WHERE a = 1 AND b = 1;
        DELETE FROM {db}.c WHERE a = 2;
        INSERT INTO {db}.c VALUES (1, 1, 10);
        INSERT INTO {db}.bag VALUES (1, 'x'), (1, 'x'), (NULL, NULL), (2, NULL);
        DELETE FROM {db}.bag WHERE x = 1 LIMIT 1;
        DELETE FROM {db}.bag WHERE x IS NULL;
        UPDATE {db}.bag SET y = 'z' WHERE x = 1;
        INSERT INTO {db}.parent VALUES (1), (2);
        INSERT INTO {db}.child VALUES (10, 1), (20, 2);
        DELETE FROM {db}.child WHERE id = 10;
        DELETE FROM {db}.parent WHERE id = 1;
        INSERT INTO {db}.parent VALUES (1);
        INSERT INTO {db}.child VALUES (10, 1);
        COMMIT;
        INSERT INTO {db}.k VALUES (5, 'auto1');
        DELETE FROM {db}.k WHERE id = 5;
        INSERT INTO {db}.k VALUES (5, 'auto2');
        UPDATE {db}.k SET v = 'auto3' WHERE id = 5;
        INSERT INTO {db}.k SELECT id + 100, v FROM {db}.k;
        DELETE FROM {db}.k WHERE id > 100;
        """;

    [Fact]
    public async Task Same_key_changed_many_times_in_one_transaction_and_across_transactions_ends_as_on_the_source()
    {
        var db = NewDatabase("bat");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync(Workload(db));

        var applied = await CatchUpAsync(Options(db, start) with { MaxTransactionsPerCommit = 100 });

        Assert.Equal(6 + 1 + 6, applied); // 6 DDL, the big transaction, 6 autocommitted statements
        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        Assert.Equal("1=c 2=u2", await Servers.Standby.ScalarAsync<string>($"SELECT GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id SEPARATOR ' ') FROM {db}.k WHERE id < 5"));
    }

    [Fact]
    public async Task A_missing_row_in_a_batch_of_updates_stops_naming_that_rows_key_and_applies_nothing_of_the_transaction()
    {
        var db = NewDatabase("bup");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB; INSERT INTO {db}.t VALUES (1, 1), (2, 2), (3, 3)");
        await CatchUpAsync(Options(db, start));
        await Servers.Standby.ExecuteAsync($"DELETE FROM {db}.t WHERE id = 2");
        await Servers.Source.ExecuteAsync($"UPDATE {db}.t SET v = v + 10");

        var error = await Assert.ThrowsAsync<StandbyConflictException>(() => CatchUpAsync(Options(db, start)));

        Assert.Equal($"{db}.t", error.Table);
        Assert.Equal("id=2", error.Key);
        Assert.NotNull(error.Transaction);
        Assert.Contains("UPDATE found no row", error.Message, StringComparison.Ordinal);
        Assert.Equal("1 3", await Servers.Standby.ScalarAsync<string>($"SELECT GROUP_CONCAT(v ORDER BY id SEPARATOR ' ') FROM {db}.t"));
    }

    [Fact]
    public async Task A_transaction_abandoned_inside_a_group_commit_loses_and_duplicates_nothing_of_the_group()
    {
        var db = NewDatabase("abn");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB; INSERT INTO {db}.t VALUES (1, 0)");
        for (var i = 2; i <= 12; i++)
        {
            await Servers.Source.ExecuteAsync($"START TRANSACTION; UPDATE {db}.t SET n = n + 1 WHERE id = 1; INSERT INTO {db}.t VALUES ({i}, {i}); COMMIT");
        }

        var events = new List<ReplicationEvent>();
        await foreach (var item in BinlogFileEvents.ReadAsync(await BinlogFilesFromAsync(start), Checkpoint(start), CancellationToken.None))
        {
            events.Add(item);
        }

        // cut the 8th row transaction after its first rows event, as a source would that crashed before committing it;
        // the stream then says so and goes on (here: with the same transaction sent again, as a new one would be)
        var rowTransactions = events.Where(e => e.CompletesTransaction && e.Event is Binlog.Events.XidEvent).ToList();
        var cutAfter = events.FindIndex(events.IndexOf(rowTransactions[6]) + 1, e => e.Event is Binlog.Events.RowsEvent);
        var fed = events.Take(cutAfter + 1)
            .Append(events[cutAfter] with { Kind = ReplicationEventKind.TransactionAborted })
            .Concat(events.Skip(events.IndexOf(rowTransactions[6]) + 1))
            .ToList();

        await using (var applier = await EventApplier.OpenAsync(
            new EventApplierOptions { TargetConnectionString = Servers.Standby.AdminConnectionString, Channel = db, StartPosition = start, MaxTransactionsPerCommit = 50 },
            CancellationToken.None))
        {
            foreach (var item in fed)
            {
                await applier.HandleAsync(item, CancellationToken.None);
            }

            await applier.FlushAsync(CancellationToken.None);
            Assert.Equal(3 + 11, applier.TransactionsApplied);
        }

        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        Assert.Equal(11, await Servers.Standby.ScalarAsync<int>($"SELECT n FROM {db}.t WHERE id = 1"));
    }

    [Theory]
    [InlineData("update")]
    [InlineData("delete")]
    [InlineData("insert")]
    public async Task A_conflict_in_the_middle_of_a_batched_group_names_its_own_transaction_and_key_and_commits_nothing_of_the_group(string operation)
    {
        var db = NewDatabase("bcf");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB; " +
            $"INSERT INTO {db}.t SELECT seq, 0 FROM (SELECT a.n * 10 + b.n + 1 AS seq FROM {Digits("a")}, {Digits("b")}) s WHERE seq <= 40");
        await CatchUpAsync(Options(db, start));
        var afterSetup = await SourcePositionAsync();

        // the standby is changed behind the applier's back at key 17 (for the insert case: a row 117 appears there)
        await Servers.Standby.ExecuteAsync(operation == "insert" ? $"INSERT INTO {db}.t VALUES (117, 0)" : $"DELETE FROM {db}.t WHERE id = 17");

        // 30 single-row transactions, one per key, all in one group commit and one batch of statements
        string? conflicting = null;
        await using (var source = await Servers.Source.OpenAdminConnectionAsync())
        {
            for (var id = 1; id <= 30; id++)
            {
                var sql = operation switch
                {
                    "update" => $"UPDATE {db}.t SET v = v + 1 WHERE id = {id}",
                    "delete" => $"DELETE FROM {db}.t WHERE id = {id}",
                    _ => $"INSERT INTO {db}.t VALUES ({100 + id}, 1)",
                };
                var before = Flavor == Sql.ServerFlavor.MySql ? await ScalarAsync(source, "SELECT @@GLOBAL.gtid_executed") : null;
                await ExecuteAsync(source, sql);
                if (id == 17)
                {
                    conflicting = Flavor == Sql.ServerFlavor.MySql
                        ? await ScalarAsync(source, $"SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, '{before}')")
                        : await ScalarAsync(source, "SELECT @@last_gtid");
                }
            }
        }

        var checksum = await Servers.Standby.ScalarAsync<string>($"SELECT GROUP_CONCAT(CONCAT(id, ':', v) ORDER BY id) FROM {db}.t");
        var error = await Assert.ThrowsAsync<StandbyConflictException>(() => CatchUpAsync(Options(db, start) with { MaxTransactionsPerCommit = 100 }));

        Assert.Equal(conflicting, error.Transaction);
        Assert.Equal($"{db}.t", error.Table);
        Assert.Equal(operation == "insert" ? "id=117" : "id=17", error.Key);
        Assert.Contains(operation switch { "update" => "UPDATE found no row", "delete" => "DELETE found no row", _ => "INSERT found an existing row" }, error.Message, StringComparison.Ordinal);
        // nothing of the group is committed: the standby's rows and its position are where they were
        Assert.Equal(checksum, await Servers.Standby.ScalarAsync<string>($"SELECT GROUP_CONCAT(CONCAT(id, ':', v) ORDER BY id) FROM {db}.t"));
        await using var standby = await Servers.Standby.OpenAdminConnectionAsync();
        var position = await PositionStore.ReadAsync(standby, db, CancellationToken.None);
        Assert.True(position!.Position.SameAs(afterSetup), $"the position moved: {position.Position} (expected {afterSetup})");
    }

    private static async Task ExecuteAsync(MySqlConnector.MySqlConnection connection, string sql)
    {
        await using var command = new MySqlConnector.MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(MySqlConnector.MySqlConnection connection, string sql)
    {
        await using var command = new MySqlConnector.MySqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Digits(string alias) =>
        $"(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) {alias}";

    private ReplicationCheckpoint Checkpoint(StandbyPosition start) => Flavor == Sql.ServerFlavor.MySql
        ? ReplicationCheckpoint.FromGtidSet(start.MySqlGtids!)
        : ReplicationCheckpoint.FromMariaDbGtids(start.MariaDbGtids!);

    private async Task<List<string>> BinlogFilesFromAsync(StandbyPosition start)
    {
        var names = await Servers.Source.BinlogFilesAsync();
        var first = start.File?.File ?? names[0];
        return names.Where(n => string.CompareOrdinal(n, first) >= 0).Select(Servers.Source.BinlogPath).ToList();
    }
}

public sealed class MariaDbBatchingTests(MariaDbSourceAndStandbyFixture servers) : BatchingTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlBatchingTests(MySqlSourceAndStandbyFixture servers) : BatchingTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

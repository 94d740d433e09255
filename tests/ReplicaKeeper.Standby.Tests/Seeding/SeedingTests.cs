using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Seeding;

public abstract class SeedingTests(SourceAndStandbyFixture servers) : SeedingTestBase(servers)
{
    private const string JsonA = """{"a": [1, 2.5, "x", null, true, -0.000001], "b": {"c": "ü 😀", "big": 18446744073709551615}}""";

    private static string TypesTable(string db) => $"""
        CREATE TABLE {db}.types (
          id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
          ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
          i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
          f FLOAT, d DOUBLE, dec1 DECIMAL(65,30), dec2 DECIMAL(10,2), dec0 DECIMAL(20,0) UNSIGNED,
          dt DATE, dtm DATETIME(6), dtm3 DATETIME(3), dtm0 DATETIME, ts TIMESTAMP(6) NULL, ts0 TIMESTAMP NULL, tm TIME(6), tm0 TIME, y YEAR,
          c CHAR(10), vc VARCHAR(100), l1 VARCHAR(20) CHARACTER SET latin1, tt TINYTEXT, tx TEXT, mt MEDIUMTEXT,
          bn BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB,
          e ENUM('a','b','c'), st SET('x','y','z'), b1 BIT(1), bt BIT(10), b64 BIT(64), j JSON, g GEOMETRY,
          gen INT AS (i + 1) VIRTUAL, gens VARCHAR(110) AS (CONCAT(vc, '!')) STORED
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """;

    private static string TypesRows(string db) => $"""
        SET SESSION sql_mode = '', SESSION time_zone = '+00:00';
        INSERT INTO {db}.types (id, ti, tiu, si, siu, mi, miu, i, iu, bi, biu, f, d, dec1, dec2, dec0, dt, dtm, dtm3, dtm0, ts, ts0, tm, tm0, y,
          c, vc, l1, tt, tx, mt, bn, vb, tb, bl, mb, e, st, b1, bt, b64, j, g) VALUES
          (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
           1.1, 2.2250738585072014e-308, '-12345678901234567890123456789012345.123456789012345678901234567890', 99999999.99, 99999999999999999999,
           '0000-00-00', '2024-02-29 23:59:59.999999', '2001-02-03 04:05:06.789', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999999', '1970-01-01 00:00:01',
           '-838:59:59.000000', '-00:00:01', 0,
           'abc', 'emoji 😀 ü', 'café', 'tiny', REPEAT('t', 3000), REPEAT('m', 70000), x'01', x'00ff00', x'', x'deadbeef', REPEAT(x'00ff', 40000),
           'b', 'x,z', b'1', b'1010101010', b'1111111111111111111111111111111111111111111111111111111111111111', '{JsonA}', ST_GeomFromText('POINT(1 2)', 4326)),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 1e308, '0.000000000000000000000000000001', -0.01, 0,
           '2024-00-15', '1000-01-01 00:00:00.000001', '2024-02-30 00:00:00.001', '9999-12-31 23:59:59', '1970-01-01 00:00:01', '2038-01-19 03:14:07',
           '838:59:59', '100:00:00', 2155,
           '', '', '', '', '', '', x'', x'', x'', x'', x'', '', '', b'0', b'0', b'0', '[]', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 5)')),
          (0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3.4028235e38, -1.7976931348623157e308, '1', '0.5', 1,
           '1000-01-01', '2000-01-01 00:00:00.5', '2000-01-01 00:00:00.5', '2000-01-01 00:00:00', NULL, NULL, '00:00:00.000001', '00:00:00', 1901,
           'x', 'it''s "quoted" \\ back', 'Ñ', NULL, NULL, NULL, x'00000000', x'00', x'ff', NULL, NULL, 'c', 'x,y,z', b'0', b'1', b'1', '"str"', ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 0))'));
        SET SESSION sql_mode = DEFAULT;
        """;

    [Fact]
    public async Task Seeds_every_column_type_while_a_workload_runs_then_the_applier_continues_exactly_from_the_snapshot()
    {
        var db = NewDatabase("sd");
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; {TypesTable(db)}; {TypesRows(db)} {CounterTables(db)}");
        await Servers.Source.ExecuteAsync($"""
            CREATE TABLE {db}.items (id INT NOT NULL PRIMARY KEY, v VARCHAR(40), d DECIMAL(12,2), KEY (v)) ENGINE=InnoDB;
            CREATE TABLE {db}.digits (n INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;
            INSERT INTO {db}.digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);
            INSERT INTO {db}.items (id, v, d)
              SELECT x, CONCAT('item ', x), x / 4 FROM (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * d.n AS x FROM {db}.digits a, {db}.digits b, {db}.digits c, {db}.digits d WHERE d.n < 3) s;
            CREATE TABLE {db}.pair (a INT NOT NULL, b VARCHAR(8) NOT NULL, v INT, PRIMARY KEY (b, a)) ENGINE=InnoDB;
            INSERT INTO {db}.pair VALUES (2, 'b', 1), (1, 'b', 2), (3, 'a', 3);
            """);

        using var stop = new CancellationTokenSource();
        var workload = CountedWorkloadAsync(db, connections: 2, limit: int.MaxValue, items: true, stop.Token);
        await Task.Delay(300);

        var progress = new List<SeedProgress>();
        SeedReport report;
        try
        {
            report = await new StandbySeeder(SeedOptions(db) with { ChunkRows = 97, Progress = new SyncProgress(progress) }).RunAsync(CancellationToken.None);
            await Task.Delay(300);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var committed = await workload;

        Assert.Equal(["audit", "counter", "digits", "items", "pair", "types"], report.Tables.Select(t => t.Table.Table).Order(StringComparer.Ordinal));
        Assert.Equal(4, report.Tables.Single(t => t.Table.Table == "types").Rows);
        Assert.True(report.Tables.Single(t => t.Table.Table == "items").Rows > 2500);
        Assert.True(report.TotalBytes > 153_000, $"{report.TotalBytes} bytes");
        Assert.Contains(progress, p => p.Table.Table == "items" && !p.TableDone && p.TableRows == 97);
        Assert.Equal(report.TotalRows, progress[^1].TotalRows);
        Assert.True(committed > 10, $"only {committed} transactions ran");

        await using (var standby = await Servers.Standby.OpenAdminConnectionAsync())
        {
            var seeded = await PositionStore.ReadAsync(standby, db, CancellationToken.None);
            Assert.NotNull(seeded);
            Assert.True(seeded.Position.SameAs(report.Position));
            Assert.Equal(report.IdempotentUntil is null, seeded.IdempotentUntil is null);
        }

        var applied = await ApplyToEndAsync(db);
        Assert.True(applied > 0, "the workload after the snapshot was not applied");
        await AssertEqualAsync(db, db);
        await AssertEveryTransactionOnceAsync(db, committed);
        // generated columns are computed by the standby itself
        Assert.Equal(
            await Servers.Source.ScalarAsync<string>($"SELECT CONCAT(vc, '!') FROM {db}.types WHERE id = 1"),
            await Servers.Standby.ScalarAsync<string>($"SELECT gens FROM {db}.types WHERE id = 1"));
    }

    [Fact]
    public async Task Refuses_a_target_that_is_not_empty_and_names_what_is_there_unless_forced()
    {
        var db = NewDatabase("sn");
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO {db}.t VALUES (1, 'one'), (2, 'two');");
        await Servers.Standby.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.stray (x INT); INSERT INTO {db}.stray VALUES (42);");

        var refused = await Assert.ThrowsAsync<TargetNotEmptyException>(() => new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None));
        Assert.Equal([$"schema `{db}` (1 table)"], refused.Found);
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        Assert.Equal(42, await Servers.Standby.ScalarAsync<int>($"SELECT x FROM {db}.stray"));
        await using (var standby = await Servers.Standby.OpenAdminConnectionAsync())
        {
            Assert.Null(await PositionStore.ReadAsync(standby, db, CancellationToken.None));
        }

        var forced = await new StandbySeeder(SeedOptions(db) with { Force = true }).RunAsync(CancellationToken.None);
        Assert.Equal(2, forced.TotalRows);
        Assert.Equal(["t"], await TablesAsync(Servers.Standby, db));
        await AssertEqualAsync(db, db);

        // seeded once: the channel's position is what is there now
        var again = await Assert.ThrowsAsync<TargetNotEmptyException>(() => new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None));
        Assert.Contains(again.Found, f => f.StartsWith($"replicakeeper.applied_position of channel '{db}'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Copies_keyless_tables_views_routines_and_guarded_triggers_and_names_events_it_does_not_copy()
    {
        var db = NewDatabase("so");
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.loose (x INT NULL, y VARCHAR(10) NULL, z FLOAT NULL) ENGINE=InnoDB;
            INSERT INTO {db}.loose VALUES (1, 'a', 0.1), (1, 'a', 0.1), (NULL, NULL, NULL), (2, 'b', 3.3);
            CREATE TABLE {db}.uk (a INT NOT NULL, b INT NOT NULL, v VARCHAR(10), UNIQUE KEY (a, b)) ENGINE=InnoDB;
            INSERT INTO {db}.uk VALUES (2, 1, 'y'), (1, 2, 'x');
            CREATE TABLE {db}.parent (id INT PRIMARY KEY) ENGINE=InnoDB;
            CREATE TABLE {db}.child (id INT PRIMARY KEY, parent INT NOT NULL, FOREIGN KEY (parent) REFERENCES {db}.parent (id)) ENGINE=InnoDB;
            INSERT INTO {db}.parent VALUES (1), (2);
            INSERT INTO {db}.child VALUES (10, 1), (20, 2);
            """);
        // a view on a view whose name sorts after it, a procedure, a function, a trigger and an event
        await Servers.Source.ExecuteAsync($"""
            CREATE VIEW {db}.z_base AS SELECT x, y FROM {db}.loose WHERE x IS NOT NULL;
            CREATE VIEW {db}.a_top AS SELECT COUNT(*) AS n FROM {db}.z_base;
            CREATE PROCEDURE {db}.bump() MODIFIES SQL DATA UPDATE {db}.uk SET v = CONCAT(v, '+');
            CREATE FUNCTION {db}.twice(n INT) RETURNS INT DETERMINISTIC NO SQL RETURN n * 2;
            CREATE TRIGGER {db}.on_child BEFORE INSERT ON {db}.child FOR EACH ROW SET NEW.id = NEW.id + 0;
            CREATE EVENT {db}.tick ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM {db}.loose WHERE x = 99;
            """);

        var report = await new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None);

        Assert.True(report.IsExact);
        Assert.Equal([$"{db}.a_top", $"{db}.z_base"], report.Views.Order(StringComparer.Ordinal));
        Assert.Equal([$"{db}.bump", $"{db}.twice"], report.Routines.Order(StringComparer.Ordinal));
        Assert.Equal([$"{db}.on_child"], report.Triggers);
        Assert.Equal(["event " + db + ".tick"], report.Skipped.Select(s => s.Kind + " " + s.Name));
        Assert.Equal(3, await Servers.Standby.ScalarAsync<long>($"SELECT n FROM {db}.a_top"));
        Assert.Equal(8, await Servers.Standby.ScalarAsync<long>($"SELECT {db}.twice(4)"));
        var body = await Servers.Standby.ScalarAsync<string>($"SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}' AND TRIGGER_NAME = 'on_child'");
        Assert.True(Schema.TriggerGuard.IsGuarded(body!), body);
        Assert.Equal(2, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM {db}.loose WHERE x = 1"));
        await AssertEqualAsync(db, db);

        // and the applier goes on from there, keyless table included
        await Servers.Source.ExecuteAsync($"INSERT INTO {db}.loose VALUES (1, 'a', 0.1); DELETE FROM {db}.loose WHERE x = 2; CALL {db}.bump();");
        Assert.True(await ApplyToEndAsync(db) >= 3);
        await AssertEqualAsync(db, db);
    }

    /// <summary>Collects progress synchronously (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress(List<SeedProgress> list) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value)
        {
            lock (list)
            {
                list.Add(value);
            }
        }
    }
}

public sealed class MariaDbSeedingTests(MariaDbSourceAndStandbyFixture servers) : SeedingTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlSeedingTests(MySqlSourceAndStandbyFixture servers) : SeedingTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>
{
    /// <summary>
    /// MySQL has no snapshot position: under a busy source the gtid_executed bracket around the snapshot is not one
    /// position. The seed then records the low end and the window, the applier replays the window idempotently.
    /// </summary>
    [Fact]
    public async Task Inexact_snapshot_is_seeded_with_its_window_replayed_idempotently_and_refused_for_keyless_tables()
    {
        var db = NewDatabase("si");
        var keyless = NewDatabase("sk");
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db}; {CounterTables(db)}
            CREATE TABLE {db}.items (id INT NOT NULL PRIMARY KEY, v VARCHAR(40), d DECIMAL(12,2)) ENGINE=InnoDB;
            INSERT INTO {db}.items (id, v, d) WITH RECURSIVE n (x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 999) SELECT x, CONCAT('item ', x), x / 4 FROM n;
            CREATE DATABASE {keyless}; CREATE TABLE {keyless}.bag (x INT) ENGINE=InnoDB; INSERT INTO {keyless}.bag VALUES (1), (1);
            """);

        using var stop = new CancellationTokenSource();
        var workload = CountedWorkloadAsync(db, connections: 3, limit: 20_000, items: true, stop.Token, maxDelayMs: 0);
        SeedReport? inexact = null;
        StandbySeedException? refused = null;
        try
        {
            // one snapshot attempt each: under three busy writers nearly every bracket is inexact
            for (var attempt = 0; attempt < 10 && refused is null; attempt++)
            {
                try
                {
                    await new StandbySeeder(SeedOptions(keyless) with { SnapshotAttempts = 1, Force = true }).RunAsync(CancellationToken.None);
                }
                catch (StandbySeedException e) when (e is not TargetNotEmptyException)
                {
                    refused = e;
                }
            }

            for (var attempt = 0; attempt < 10 && inexact is null; attempt++)
            {
                var report = await new StandbySeeder(SeedOptions(db) with { SnapshotAttempts = 1, Force = true, ChunkRows = 50 }).RunAsync(CancellationToken.None);
                inexact = report.IsExact ? null : report;
            }

            await Task.Delay(200);
        }
        finally
        {
            await stop.CancelAsync();
        }

        var committed = await workload;
        Assert.NotNull(refused);
        Assert.Contains($"{keyless}.bag has none", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(inexact);
        Assert.NotNull(inexact.IdempotentUntil);
        Assert.True(inexact.IdempotentUntil.Covers(inexact.Position) && !inexact.Position.Covers(inexact.IdempotentUntil));
        await using (var standby = await Servers.Standby.OpenAdminConnectionAsync())
        {
            var seeded = await PositionStore.ReadAsync(standby, db, CancellationToken.None);
            Assert.NotNull(seeded?.IdempotentUntil);
            Assert.True(seeded.IdempotentUntil.SameAs(inexact.IdempotentUntil));
        }

        Assert.True(await ApplyToEndAsync(db) > 0);
        await AssertEqualAsync(db, db);
        await AssertEveryTransactionOnceAsync(db, committed);
    }
}

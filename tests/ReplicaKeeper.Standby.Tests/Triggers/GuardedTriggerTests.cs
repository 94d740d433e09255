using MySqlConnector;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.Standby.Tests.Seeding;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Triggers;

/// <summary>
/// Guarded triggers on real servers: the server accepts what <see cref="TriggerGuard.Guard"/> makes of its own
/// SHOW CREATE TRIGGER and binlog text; a guarded trigger behaves as the original in a normal session and does nothing
/// in a session that ran <see cref="TriggerGuard.MarkSessionSql"/>. Originals live on the source, guarded copies on the
/// standby instance.
/// </summary>
public abstract class GuardedTriggerTests(SourceAndStandbyFixture servers) : SeedingTestBase(servers)
{
    private const string Tables = """
        CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL, note VARCHAR(200)) ENGINE=InnoDB;
        CREATE TABLE audit (seq INT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL, what VARCHAR(100) NOT NULL) ENGINE=InnoDB;
        """;

    /// <summary>Statements and comments people write: every body form the guard must keep working, in creation order.</summary>
    private IReadOnlyList<string> Triggers =>
    [
        "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = CONCAT(COALESCE(NEW.note, ''), ' [FOR EACH ROW]')",
        "CREATE DEFINER = CURRENT_USER TRIGGER IF NOT EXISTS `orders ai` AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (NEW.id, 'insert; it''s')",
        "CREATE TRIGGER orders_ai2 AFTER INSERT ON orders FOR EACH ROW FOLLOWS `orders ai` /* second */ lbl: BEGIN IF NEW.qty = 0 THEN LEAVE lbl; END IF; INSERT INTO audit (order_id, what) VALUES (NEW.id, CONCAT('qty ', NEW.qty)); END lbl",
        "CREATE TRIGGER orders_bu BEFORE UPDATE ON orders FOR EACH ROW BEGIN -- clamp, FOR EACH ROW\n  IF NEW.qty < 0 THEN SET NEW.qty = 0; END IF;\n  SET NEW.note = CONCAT(NEW.note, '!');\nEND",
        "CREATE TRIGGER orders_ad AFTER DELETE ON orders FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (OLD.id, 'delete')",
        "CREATE TRIGGER orders_ad0 AFTER DELETE ON orders FOR EACH ROW PRECEDES orders_ad INSERT INTO audit (order_id, what) VALUES (OLD.id, 'delete first')",
        (IsMySql ? "CREATE" : "CREATE OR REPLACE") + " TRIGGER orders_au AFTER UPDATE ON orders FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (NEW.id, CONCAT(OLD.qty, '->', NEW.qty))",
    ];

    private static string Workload(int k) => $"""
        INSERT INTO orders (id, qty, note) VALUES ({k}, 2, 'a'), ({k + 1}, 0, NULL), ({k + 2}, 5, 'x');
        UPDATE orders SET qty = -1 WHERE id = {k};
        UPDATE orders SET qty = qty + 1 WHERE id = {k + 2};
        DELETE FROM orders WHERE id = {k + 1};
        """;

    [Fact]
    public async Task Guarded_SHOW_CREATE_TRIGGER_and_binlog_texts_act_as_the_originals_in_normal_sessions_and_not_at_all_in_marked_ones()
    {
        var db = NewDatabase("tg");
        var fromShow = db + "_show";
        var fromBinlog = db + "_log";
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}");
        await RunAsync(Servers.Source, db, Tables);
        foreach (var trigger in Triggers)
        {
            await RunAsync(Servers.Source, db, trigger);
        }

        // the texts the seed and the applier meet: SHOW CREATE TRIGGER in firing order, the binlog's query events in commit order
        var shown = await ShowCreateTriggersAsync(Servers.Source, db);
        var logged = await BinlogCreateTriggersAsync(Servers.Source, db);
        Assert.Equal(Triggers.Count, shown.Count);
        Assert.Equal(Triggers.Count, logged.Count);
        foreach (var (target, texts) in new[] { (fromShow, shown), (fromBinlog, logged) })
        {
            await Servers.Standby.ExecuteAsync($"CREATE DATABASE {target}");
            await RunAsync(Servers.Standby, target, Tables);
            foreach (var text in texts)
            {
                var guarded = TriggerGuard.Guard(text);
                Assert.NotEqual(text, guarded);
                await RunAsync(Servers.Standby, target, guarded);
            }

            // the server keeps the guard, and guarding its own text again changes nothing
            foreach (var again in await ShowCreateTriggersAsync(Servers.Standby, target))
            {
                Assert.True(TriggerGuard.IsGuarded(again), again);
                Assert.Equal(again, TriggerGuard.Guard(again));
            }

            Assert.All(await ActionStatementsAsync(Servers.Standby, target), body => Assert.True(TriggerGuard.IsGuarded(body), body));
        }

        // a normal session: the guarded copies do exactly what the originals do, in the same order
        await RunAsync(Servers.Source, db, Workload(1));
        await RunAsync(Servers.Standby, fromShow, Workload(1));
        await RunAsync(Servers.Standby, fromBinlog, Workload(1));
        var expected = await ContentsAsync(Servers.Source, db);
        Assert.Equal(9, (await AuditAsync(Servers.Source, db)).Count); // 3 inserts (two audit rows each but for qty 0), 2 updates, 1 delete (two rows)
        Assert.Equal(expected, await ContentsAsync(Servers.Standby, fromShow));
        Assert.Equal(expected, await ContentsAsync(Servers.Standby, fromBinlog));

        // a marked session: the originals still fire (so the marker alone changes nothing), the guarded copies do not
        await RunAsync(Servers.Source, db, Workload(100), marked: true);
        Assert.Equal(18, (await AuditAsync(Servers.Source, db)).Count);
        foreach (var target in new[] { fromShow, fromBinlog })
        {
            await RunAsync(Servers.Standby, target, Workload(100), marked: true);
            // the rows exactly as written (no note suffix, qty -1 not clamped), no audit row
            Assert.Equal([.. expected.Where(r => r.StartsWith("orders ", StringComparison.Ordinal)), "orders 100|-1|a", "orders 102|6|x", .. expected.Where(r => r.StartsWith("audit ", StringComparison.Ordinal))],
                await ContentsAsync(Servers.Standby, target));
        }
    }

    [Fact]
    public async Task Standby_init_creates_the_triggers_guarded_after_the_rows_without_firing_them()
    {
        var db = NewDatabase("ts");
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}");
        await RunAsync(Servers.Source, db, Tables);
        foreach (var trigger in Triggers)
        {
            await RunAsync(Servers.Source, db, trigger);
        }

        await RunAsync(Servers.Source, db, Workload(1));

        var report = await new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None);

        Assert.Empty(report.Skipped);
        // created in firing order: FOLLOWS/PRECEDES of the originals are either kept by SHOW CREATE TRIGGER or implied by it
        Assert.Equal(await TriggerOrderAsync(Servers.Source, db), await TriggerOrderAsync(Servers.Standby, db));
        Assert.Equal(
            (await RowsAsync(Servers.Source, db, "SELECT CONCAT(TRIGGER_SCHEMA, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")).Order(StringComparer.Ordinal),
            report.Triggers.Order(StringComparer.Ordinal));
        Assert.All(await ActionStatementsAsync(Servers.Standby, db), body => Assert.True(TriggerGuard.IsGuarded(body), body));
        // the copied rows fired nothing: the audit table is the source's, row for row
        Assert.Equal(await ContentsAsync(Servers.Source, db), await ContentsAsync(Servers.Standby, db));

        // after promotion the triggers work as on the source
        await RunAsync(Servers.Source, db, Workload(100));
        await RunAsync(Servers.Standby, db, Workload(100));
        Assert.Equal(await ContentsAsync(Servers.Source, db), await ContentsAsync(Servers.Standby, db));
    }

    [Fact]
    public async Task Standby_init_of_single_tables_copies_their_triggers_guarded_and_no_others()
    {
        var db = NewDatabase("tt");
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}");
        await RunAsync(Servers.Source, db, Tables + """
            CREATE TABLE other (id INT PRIMARY KEY) ENGINE=InnoDB;
            CREATE TRIGGER other_bi BEFORE INSERT ON other FOR EACH ROW SET NEW.id = NEW.id + 1;
            CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (NEW.id, 'insert');
            INSERT INTO orders VALUES (1, 1, NULL);
            """);

        var report = await new StandbySeeder(SeedOptions(db) with { Schemas = [], Tables = [new TableName(db, "orders"), new TableName(db, "audit")] })
            .RunAsync(CancellationToken.None);

        Assert.Equal([$"{db}.orders_ai"], report.Triggers);
        Assert.Equal([$"{db}.orders_ai"], await RowsAsync(Servers.Standby, db, "SELECT CONCAT(TRIGGER_SCHEMA, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"));
        Assert.All(await ActionStatementsAsync(Servers.Standby, db), body => Assert.True(TriggerGuard.IsGuarded(body), body));
        Assert.Equal(["1|1|insert"], await AuditAsync(Servers.Standby, db));
    }

    /// <summary>
    /// End to end: a source table with an AFTER INSERT trigger writing to an audit table, seeded, then a workload
    /// applied by the standby applier (including a CREATE TRIGGER replicated as DDL): the standby equals the source,
    /// audit rows not doubled.
    /// <para>
    /// NEEDS THE LEAD'S WIRING in src/ReplicaKeeper.Standby/Apply/EventApplier.cs: (1) run
    /// <see cref="TriggerGuard.MarkSessionSql"/> on every target connection right after it opens (and after every
    /// reconnect), (2) apply a replicated query for which <see cref="TriggerGuard.IsCreateTrigger"/> holds as
    /// <see cref="TriggerGuard.Guard"/>(query). Without (1) the seeded, guarded trigger fires for applied rows; without
    /// (2) the replicated trigger is created unguarded. Everything before <c>ApplyToEndAsync</c> works without it.
    /// </para>
    /// </summary>
    [Fact]
    public async Task Applied_row_events_do_not_fire_the_standbys_triggers_a_second_time()
    {
        var db = NewDatabase("te");
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.orders (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL) ENGINE=InnoDB;
            CREATE TABLE {db}.audit (seq INT NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL, what VARCHAR(40) NOT NULL) ENGINE=InnoDB;
            CREATE TRIGGER {db}.orders_ai AFTER INSERT ON {db}.orders FOR EACH ROW INSERT INTO {db}.audit (order_id, what) VALUES (NEW.id, 'insert');
            INSERT INTO {db}.orders VALUES (1, 1), (2, 2);
            """);
        var report = await new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None);
        Assert.Equal([$"{db}.orders_ai"], report.Triggers);
        await AssertEqualAsync(db, db);

        for (var i = 0; i < 5; i++)
        {
            await Servers.Source.ExecuteAsync($"INSERT INTO {db}.orders VALUES ({10 + (2 * i)}, {i}), ({11 + (2 * i)}, {i})");
        }

        // a trigger created on the source after the seed reaches the standby as DDL
        await Servers.Source.ExecuteAsync($"""
            CREATE TRIGGER {db}.orders_au AFTER UPDATE ON {db}.orders FOR EACH ROW INSERT INTO {db}.audit (order_id, what) VALUES (NEW.id, 'update');
            UPDATE {db}.orders SET qty = qty + 1 WHERE id >= 10;
            INSERT INTO {db}.orders VALUES (99, 9);
            """);
        Assert.Equal(2 + 10 + 10 + 1, await Servers.Source.ScalarAsync<long>($"SELECT COUNT(*) FROM {db}.audit"));

        // ---- from here on this test needs the lead's EventApplier wiring (see the summary) ----
        await ApplyToEndAsync(db);

        await AssertEqualAsync(db, db);
        var body = await Servers.Standby.ScalarAsync<string>($"SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{db}' AND TRIGGER_NAME = 'orders_au'");
        Assert.True(TriggerGuard.IsGuarded(body!), body);

        // promoted: the clinic's own sessions fire both triggers again
        await Servers.Standby.ExecuteAsync($"INSERT INTO {db}.orders VALUES (200, 1); UPDATE {db}.orders SET qty = 0 WHERE id = 200");
        Assert.Equal(2 + 10 + 10 + 1 + 2, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM {db}.audit"));
    }

    /// <summary>
    /// A statement-based change (binlog_format=STATEMENT or MIXED on the source) carries only the statement, not the
    /// rows its triggers wrote: a native replica runs the statement and its triggers fire there. So must the applier's.
    /// <para>
    /// NEEDS THE LEAD'S WIRING in EventApplier: run a statement-based DML query event with the session unmarked
    /// (<c>SET @replicakeeper_applier = NULL</c> before, <see cref="TriggerGuard.MarkSessionSql"/> after).
    /// </para>
    /// </summary>
    [Fact]
    public async Task Statement_based_changes_fire_the_standbys_triggers_as_on_a_native_replica()
    {
        var db = NewDatabase("tb");
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}");
        await RunAsync(Servers.Source, db, Tables + """
            CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (NEW.id, 'insert');
            INSERT INTO orders VALUES (1, 1, 'row');
            """);
        await new StandbySeeder(SeedOptions(db)).RunAsync(CancellationToken.None);

        await RunAsync(Servers.Source, db, """
            SET SESSION binlog_format = 'STATEMENT';
            INSERT INTO orders VALUES (2, 2, 'statement');
            SET SESSION binlog_format = 'ROW';
            INSERT INTO orders VALUES (3, 3, 'row');
            """);
        Assert.Equal(["1|1|insert", "2|2|insert", "3|3|insert"], await AuditAsync(Servers.Source, db));

        // ---- from here on this test needs the lead's EventApplier wiring (see the summary) ----
        await ApplyToEndAsync(db);

        await AssertEqualAsync(db, db);
    }

    private static async Task<MySqlConnection> OpenAsync(TestServer server, string database)
    {
        var builder = new MySqlConnectionStringBuilder(server.AdminConnectionString) { Database = database, AllowUserVariables = true, Pooling = false };
        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task RunAsync(TestServer server, string database, string sql, bool marked = false)
    {
        await using var connection = await OpenAsync(server, database);
        if (marked)
        {
            await using var mark = new MySqlCommand(TriggerGuard.MarkSessionSql, connection);
            await mark.ExecuteNonQueryAsync();
        }

        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> RowsAsync(TestServer server, string database, string sql)
    {
        await using var connection = await OpenAsync(server, database);
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private static Task<List<string>> AuditAsync(TestServer server, string database) =>
        RowsAsync(server, database, "SELECT seq, order_id, what FROM audit ORDER BY seq");

    /// <summary>Both tables, one line per row, orders' rows first: what the triggers decide.</summary>
    private static async Task<List<string>> ContentsAsync(TestServer server, string database) =>
    [
        .. (await RowsAsync(server, database, "SELECT id, qty, note FROM orders ORDER BY id")).Select(r => "orders " + r),
        .. (await AuditAsync(server, database)).Select(r => "audit " + r),
    ];

    /// <summary>SHOW CREATE TRIGGER of every trigger of <paramref name="database"/>, in firing order (as the seed reads them).</summary>
    private static async Task<List<string>> ShowCreateTriggersAsync(TestServer server, string database)
    {
        var texts = new List<string>();
        foreach (var name in await RowsAsync(server, database, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY ACTION_ORDER, TRIGGER_NAME"))
        {
            texts.Add(await ShowCreateAsync(server, database, name));
        }

        return texts;
    }

    private static async Task<string> ShowCreateAsync(TestServer server, string database, string trigger)
    {
        await using var connection = await OpenAsync(server, database);
        await using var command = new MySqlCommand($"SHOW CREATE TRIGGER `{trigger.Replace("`", "``", StringComparison.Ordinal)}`", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetString(2);
    }

    private static Task<List<string>> ActionStatementsAsync(TestServer server, string database) =>
        RowsAsync(server, database, "SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()");

    /// <summary>"table timing event order name" per trigger: what decides which trigger fires when.</summary>
    private static Task<List<string>> TriggerOrderAsync(TestServer server, string database) =>
        RowsAsync(server, database, "SELECT CONCAT_WS(' ', EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1");

    /// <summary>The CREATE TRIGGER texts of <paramref name="database"/> in the source's binlog, as the applier receives them.</summary>
    private static async Task<List<string>> BinlogCreateTriggersAsync(TestServer server, string database)
    {
        await server.ExecuteAsync("FLUSH BINARY LOGS");
        var files = await server.BinlogFilesAsync();
        var texts = new List<string>();
        foreach (var file in files.Take(files.Count - 1))
        {
            using var reader = BinlogFileReader.Open(server.BinlogPath(file));
            foreach (var positioned in reader.ReadEvents())
            {
                var events = positioned.Event is TransactionPayloadEvent payload ? payload.Events : [positioned.Event];
                texts.AddRange(events.OfType<QueryEvent>()
                    .Where(q => string.Equals(q.Schema, database, StringComparison.Ordinal) && TriggerGuard.IsCreateTrigger(q.Query))
                    .Select(q => q.Query));
            }
        }

        return texts;
    }
}

public sealed class MariaDbGuardedTriggerTests(MariaDbSourceAndStandbyFixture servers) : GuardedTriggerTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlGuardedTriggerTests(MySqlSourceAndStandbyFixture servers) : GuardedTriggerTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

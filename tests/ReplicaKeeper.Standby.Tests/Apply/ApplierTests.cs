using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Apply;

public abstract class ApplierTests(SourceAndStandbyFixture servers) : ApplierTestBase(servers)
{
    private const string JsonA = """{"a": [1, 2.5, "x"], "b": null}""";
    private const string JsonK = """{"k": 1}""";

    private string TypesTable(string db) => $"""
        CREATE TABLE {db}.types (
          id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
          ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
          i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
          f FLOAT, d DOUBLE, dec1 DECIMAL(65,30), dec2 DECIMAL(10,2),
          dt DATE, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6), y YEAR,
          c CHAR(10), vc VARCHAR(100), l1 VARCHAR(20) CHARACTER SET latin1, tx TEXT, bn BINARY(4), vb VARBINARY(10), bl BLOB,
          e ENUM('a','b','c'), st SET('x','y','z'), bt BIT(10), j JSON, g GEOMETRY
        ) ENGINE=InnoDB
        """;

    private static string TypesRows(string db) => $"""
        SET SESSION sql_mode = '';
        INSERT INTO {db}.types VALUES
          (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
           1.1, 2.2250738585072014e-308, '-12345678901234567890123456789012345.123456789012345678901234567890', 99999999.99,
           '0000-00-00', '2024-02-29 23:59:59.999999', '0000-00-00 00:00:00', '2038-01-19 03:14:07.999999', '-838:59:59.000000', 0,
           'abc', 'emoji 😀 ü', 'café', REPEAT('t', 3000), x'01', x'00ff00', x'deadbeef', 'b', 'x,z', b'1010101010', '{JsonA}', ST_GeomFromText('POINT(1 2)')),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 1e308, '0.000000000000000000000000000001', -0.01,
           '2024-00-15', '1000-01-01 00:00:00.000001', '9999-12-31 23:59:59', '1970-01-01 00:00:01', '838:59:59', 2155,
           '', '', '', '', x'', x'', x'', '', '', b'0', '[]', ST_GeomFromText('LINESTRING(0 0, 1 1, 2 5)'));
        SET SESSION sql_mode = DEFAULT;
        """;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Applies_every_column_type_multi_statement_and_large_transactions_keyless_tables_and_ddl(bool batched)
    {
        var db = NewDatabase("apl");
        var channel = db;
        var start = await SourcePositionAsync();
        var source = Servers.Source;
        await source.ExecuteAsync($"CREATE DATABASE {db}");
        await source.ExecuteAsync(TypesTable(db));
        await source.ExecuteAsync(TypesRows(db));
        await source.ExecuteAsync($"""
            CREATE TABLE {db}.loose (x INT NULL, y VARCHAR(10) NULL, z FLOAT NULL) ENGINE=InnoDB;
            INSERT INTO {db}.loose VALUES (1, 'a', 0.1), (1, 'a', 0.1), (NULL, NULL, NULL), (2, 'b', 3.3);
            CREATE TABLE {db}.uk (a INT NOT NULL, b INT NOT NULL, v VARCHAR(10), UNIQUE KEY (a, b)) ENGINE=InnoDB;
            INSERT INTO {db}.uk VALUES (1, 1, 'x'), (1, 2, 'y');
            CREATE TABLE {db}.big (id INT NOT NULL PRIMARY KEY, v VARCHAR(50)) ENGINE=InnoDB;
            """);
        // multi-statement transaction touching several tables, updates of every column, deletes
        await source.ExecuteAsync($"""
            START TRANSACTION;
            UPDATE {db}.types SET ti = 127, biu = 1, dec1 = 1.5, dtm = '2000-01-01 00:00:00.5', tm = '100:00:00.25', vc = 'changed', bn = x'02', e = 'c', st = '', bt = b'1', j = '{JsonK}', g = ST_GeomFromText('POINT(3 4)') WHERE id = 1;
            UPDATE {db}.types SET ti = 1, dt = '2024-01-01', l1 = 'ñ' WHERE id = 2;
            DELETE FROM {db}.types WHERE id = 3;
            UPDATE {db}.loose SET y = 'c' WHERE x = 1 LIMIT 1;
            DELETE FROM {db}.loose WHERE x IS NULL;
            UPDATE {db}.loose SET z = 4.4 WHERE x = 2;
            UPDATE {db}.uk SET v = 'z' WHERE a = 1 AND b = 2;
            INSERT INTO {db}.uk VALUES (2, 1, NULL);
            COMMIT;
            """);
        // a large transaction: 20 000 rows in one statement, then a batch delete
        await source.ExecuteAsync($"""
            INSERT INTO {db}.big SELECT a.n * 1000 + b.n * 100 + c.n * 10 + d.n + e.n * 10000, REPEAT('v', 40)
            FROM (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a,
                 (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b,
                 (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c,
                 (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) d,
                 (SELECT 0 n UNION ALL SELECT 1) e;
            DELETE FROM {db}.big WHERE id % 3 = 0;
            UPDATE {db}.big SET v = 'u' WHERE id % 7 = 0;
            """);
        // DDL between row events
        await source.ExecuteAsync($"""
            INSERT INTO {db}.uk VALUES (3, 3, 'before');
            ALTER TABLE {db}.uk ADD COLUMN extra DATETIME(3) NULL DEFAULT '2001-01-01 00:00:00.123';
            INSERT INTO {db}.uk VALUES (4, 4, 'after', '2020-02-02 02:02:02.002');
            UPDATE {db}.uk SET extra = NULL WHERE a = 1;
            ALTER TABLE {db}.uk DROP COLUMN v;
            INSERT INTO {db}.uk VALUES (5, 5, NULL);
            DELETE FROM {db}.uk WHERE a = 2;
            """);

        var applied = await CatchUpAsync(Options(channel, start) with { BatchStatements = batched });
        Assert.True(applied > 10, $"only {applied} transactions applied");

        foreach (var mode in new[] { CompareMode.Rows, CompareMode.Checksum })
        {
            var report = await CompareAsync(db, channel, mode);
            Assert.True(report.AtCommonPosition);
            Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        }

        Assert.Equal(20000 - 6667, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM {db}.big"));
        Assert.Equal("café", await Servers.Standby.ScalarAsync<string>($"SELECT l1 FROM {db}.types WHERE id = 1"));
        Assert.Equal("255 -9223372036854775808 -838:59:59.000000", await Servers.Standby.ScalarAsync<string>($"SELECT CONCAT_WS(' ', tiu, bi, '-838:59:59.000000') FROM {db}.types WHERE id = 1"));
    }

    [Fact]
    public async Task Replicated_scheduled_events_stay_disabled_on_the_standby_as_on_a_native_replica()
    {
        var db = NewDatabase("evt");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;
            CREATE EVENT {db}.tick ON SCHEDULE EVERY 1 HOUR STARTS '2037-01-01 00:00:00' DO INSERT INTO {db}.t VALUES (NULL);
            USE {db};
            CREATE DEFINER = CURRENT_USER EVENT `later` ON SCHEDULE EVERY 1 DAY STARTS '2037-01-01 00:00:00' DISABLE DO INSERT INTO t VALUES (NULL);
            ALTER EVENT `later` ENABLE;
            """);

        await CatchUpAsync(Options(db, start));

        Assert.Equal("ENABLED ENABLED", await Servers.Source.ScalarAsync<string>($"SELECT GROUP_CONCAT(STATUS ORDER BY EVENT_NAME SEPARATOR ' ') FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{db}'"));
        var standby = await Servers.Standby.ScalarAsync<string>($"SELECT GROUP_CONCAT(STATUS ORDER BY EVENT_NAME SEPARATOR ' ') FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{db}'");
        var disabled = Flavor == Sql.ServerFlavor.MySql ? "REPLICA_SIDE_DISABLED" : "SLAVESIDE_DISABLED";
        Assert.Equal($"{disabled} {disabled}", standby);
    }

    [Fact]
    public async Task A_row_deleted_on_the_standby_stops_the_next_update_with_gtid_table_and_key()
    {
        var db = NewDatabase("cfl");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, v INT) ENGINE=InnoDB; INSERT INTO {db}.t VALUES (1, 1), (2, 2), (3, 3)");
        await CatchUpAsync(Options(db, start));
        await Servers.Standby.ExecuteAsync($"DELETE FROM {db}.t WHERE id = 2");
        await Servers.Source.ExecuteAsync($"UPDATE {db}.t SET v = 20 WHERE id = 2");
        var error = await Assert.ThrowsAsync<StandbyConflictException>(() => CatchUpAsync(Options(db, start)));
        Assert.Equal($"{db}.t", error.Table);
        Assert.Equal("id=2", error.Key);
        Assert.NotNull(error.Transaction);
        Assert.Contains(error.Transaction!, error.Message, StringComparison.Ordinal);
        Assert.Contains("UPDATE found no row", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, await Servers.Standby.ScalarAsync<int>($"SELECT v FROM {db}.t WHERE id = 3"));

        // the operator's explicit choice: overwrite re-creates the row from the source's after image
        await CatchUpAsync(Options(db, start) with { OnConflict = ConflictPolicy.Overwrite });
        Assert.Equal(20, await Servers.Standby.ScalarAsync<int>($"SELECT v FROM {db}.t WHERE id = 2"));
    }
}

public sealed class MariaDbApplierTests(MariaDbSourceAndStandbyFixture servers) : ApplierTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlApplierTests(MySqlSourceAndStandbyFixture servers) : ApplierTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

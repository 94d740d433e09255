using ReplicaKeeper.Standby.Tests.Apply;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Pitfalls;

/// <summary>MariaDB source writing binlog_row_metadata=MINIMAL, plus a plain MariaDB standby.</summary>
public sealed class MariaDbMinimalMetadataSourceAndStandbyFixture()
    : SourceAndStandbyFixture(TestServerOptions.MariaDb with { ExtraArguments = ["--binlog-row-metadata=MINIMAL"] }, TestServerOptions.MariaDb with { Standby = true });

/// <summary>MySQL source writing binlog_row_metadata=MINIMAL, plus a plain MySQL standby.</summary>
public sealed class MySqlMinimalMetadataSourceAndStandbyFixture()
    : SourceAndStandbyFixture(TestServerOptions.MySql with { ExtraArguments = ["--binlog-row-metadata=MINIMAL"] }, TestServerOptions.MySql with { Standby = true });

/// <summary>
/// PITFALLS "UNSIGNED ... otherwise fetch it from information_schema", "Column names and schema drift: with
/// binlog_row_metadata=MINIMAL the names are missing; a client that caches schema from information_schema
/// mis-decodes after ALTER TABLE" and "TIMESTAMP is UTC seconds; DATETIME is wall clock", through the live
/// StandbyApplier (EventApplier) from a source that writes MINIMAL row metadata.
/// </summary>
public abstract class MinimalMetadataApplyTests(SourceAndStandbyFixture servers) : ApplierTestBase(servers)
{
    [Fact]
    public async Task A_minimal_metadata_stream_with_unsigned_maxima_and_alter_tables_that_move_columns_applies_equal_to_the_source()
    {
        Assert.Equal("MINIMAL", await Servers.Source.ScalarAsync<string>("SELECT @@global.binlog_row_metadata"));
        var db = NewDatabase("pmin");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.t (id INT UNSIGNED NOT NULL PRIMARY KEY, tiu TINYINT UNSIGNED, siu SMALLINT UNSIGNED, miu MEDIUMINT UNSIGNED,
                biu BIGINT UNSIGNED, i INT, e ENUM('a','b','c'), st SET('x','y'), lat VARCHAR(10) CHARACTER SET latin1, vb VARBINARY(4), d DECIMAL(20,0) UNSIGNED);
            INSERT INTO {db}.t VALUES (4294967295, 255, 65535, 16777215, 18446744073709551615, -1, 'b', 'x,y', 'café', x'ff00', 99999999999999999999),
                (2147483648, 128, 32768, 8388608, 9223372036854775808, -2147483648, 'c', '', 'naïve', x'80', 1);
            UPDATE {db}.t SET biu = biu - 1, e = 'a' WHERE id = 4294967295;
            ALTER TABLE {db}.t ADD COLUMN first_col VARCHAR(10) NOT NULL DEFAULT 'f' FIRST, DROP COLUMN tiu;
            UPDATE {db}.t SET first_col = 'moved', miu = 1 WHERE id = 2147483648;
            INSERT INTO {db}.t (first_col, id, siu, miu, biu, i) VALUES ('new', 3000000000, 65535, 16777215, 18446744073709551615, 7);
            ALTER TABLE {db}.t MODIFY COLUMN i INT AFTER id;
            DELETE FROM {db}.t WHERE id = 4294967295;
            UPDATE {db}.t SET i = i + 1, biu = 18446744073709551615 WHERE id = 3000000000;
            """);

        var applied = await CatchUpAsync(Options(db, start));

        Assert.True(applied >= 10, $"only {applied} transactions applied");
        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        Assert.Equal("18446744073709551615", await Servers.Standby.ScalarAsync<string>($"SELECT CAST(biu AS CHAR) FROM {db}.t WHERE id = 3000000000"));
        Assert.Equal("moved", await Servers.Standby.ScalarAsync<string>($"SELECT first_col FROM {db}.t WHERE id = 2147483648"));
    }

    [Fact]
    public async Task Timestamps_written_under_non_utc_global_session_and_named_time_zones_apply_as_the_same_instants()
    {
        var db = NewDatabase("ptz");
        await Servers.Source.LoadTimeZoneAsync("Europe/Berlin", CancellationToken.None);
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync("SET GLOBAL time_zone = '+05:30'");
        MySqlConnector.MySqlConnection.ClearAllPools(); // a pooled session would keep the old global time zone
        try
        {
            await using var connection = await Servers.Source.OpenAdminConnectionAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE DATABASE {db};
                CREATE TABLE {db}.t (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6) NULL, zone VARCHAR(20));
                INSERT INTO {db}.t VALUES (1, '2026-01-01 00:00:00.000001', '2026-01-01 00:00:00.000001', @@session.time_zone);
                SET SESSION time_zone = '-08:00';
                INSERT INTO {db}.t VALUES (2, '2026-01-01 00:00:00', '2026-01-01 00:00:00', @@session.time_zone);
                ALTER TABLE {db}.t ADD COLUMN d TIMESTAMP NULL DEFAULT '2026-06-01 12:00:00';
                SET SESSION time_zone = 'Europe/Berlin';
                INSERT INTO {db}.t (id, ts, dt, zone) VALUES (3, '2026-03-29 03:30:00', '2026-03-29 03:30:00', @@session.time_zone), (4, '2026-10-25 02:30:00.5', '2026-10-25 02:30:00.5', @@session.time_zone);
                UPDATE {db}.t SET ts = TIMESTAMPADD(HOUR, 1, ts), dt = TIMESTAMPADD(HOUR, 1, dt) WHERE id = 1;
                INSERT INTO {db}.t (id, ts, dt, zone) VALUES (5, NOW(6), NOW(6), @@session.time_zone);
                """;
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await Servers.Source.ExecuteAsync("SET GLOBAL time_zone = SYSTEM");
        }

        await CatchUpAsync(Options(db, start));

        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        const string instants = "SELECT GROUP_CONCAT(id, '=', UNIX_TIMESTAMP(ts), '/', dt, '/', zone, '/', UNIX_TIMESTAMP(d) ORDER BY id SEPARATOR ' ') FROM {0}.t";
        var sourceRows = await Servers.Source.ScalarAsync<string>(string.Format(System.Globalization.CultureInfo.InvariantCulture, instants, db));
        Assert.Equal(sourceRows, await Servers.Standby.ScalarAsync<string>(string.Format(System.Globalization.CultureInfo.InvariantCulture, instants, db)));
        // the wall-clock DATETIME kept its literal, the TIMESTAMP the instant of the writer's zone (+05:30: 18:30 UTC the day
        // before, plus the hour of the update), and the ALTER's TIMESTAMP default the instant of the -08:00 session that ran it
        Assert.StartsWith("1=1767209400.000001/2026-01-01 01:00:00.000001/+05:30/1780344000 2=1767254400.000000/2026-01-01 00:00:00.000000/-08:00/1780344000", sourceRows, StringComparison.Ordinal);
    }
}

public sealed class MariaDbMinimalMetadataApplyTests(MariaDbMinimalMetadataSourceAndStandbyFixture servers)
    : MinimalMetadataApplyTests(servers), IClassFixture<MariaDbMinimalMetadataSourceAndStandbyFixture>
{
    /// <summary>MariaDB's default binlog_row_metadata=NO_LOG: the table map says neither signedness nor character sets.</summary>
    [Fact]
    public async Task A_no_log_metadata_stream_with_unsigned_maxima_latin1_and_binary_strings_applies_equal_to_the_source()
    {
        var db = NewDatabase("pnolog");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync("SET GLOBAL binlog_row_metadata = NO_LOG");
        MySqlConnector.MySqlConnection.ClearAllPools();
        try
        {
            await Servers.Source.ExecuteAsync($"""
                CREATE DATABASE {db};
                CREATE TABLE {db}.t (id INT UNSIGNED NOT NULL PRIMARY KEY, biu BIGINT UNSIGNED, lat VARCHAR(10) CHARACTER SET latin1, vb VARBINARY(4));
                INSERT INTO {db}.t VALUES (4294967295, 18446744073709551615, 'café', x'ff00'), (1, 1, 'a', x'01');
                UPDATE {db}.t SET biu = 9223372036854775808 WHERE id = 1;
                DELETE FROM {db}.t WHERE id = 4294967295;
                INSERT INTO {db}.t VALUES (4294967294, 18446744073709551614, 'été', x'fffe');
                """);
        }
        finally
        {
            await Servers.Source.ExecuteAsync("SET GLOBAL binlog_row_metadata = MINIMAL");
        }

        await CatchUpAsync(Options(db, start));

        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
    }
}

public sealed class MySqlMinimalMetadataApplyTests(MySqlMinimalMetadataSourceAndStandbyFixture servers)
    : MinimalMetadataApplyTests(servers), IClassFixture<MySqlMinimalMetadataSourceAndStandbyFixture>;

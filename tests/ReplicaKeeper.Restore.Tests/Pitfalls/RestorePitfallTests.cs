using System.Globalization;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Flashback;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Tests.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Pitfalls;

/// <summary>A master (options as given) and an empty restore target of the same flavour.</summary>
public abstract class PitfallServers(TestServerOptions master) : IAsyncLifetime
{
    public TestServer Master { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var m = TestServer.StartAsync(master);
        var t = TestServer.StartAsync(master with { Standby = true, TransactionCompression = false, LogBinCompress = false, ExtraArguments = [] });
        Master = await m;
        Target = await t;
    }

    public async Task DisposeAsync()
    {
        await Master.DisposeAsync();
        await Target.DisposeAsync();
    }
}

/// <summary>MySQL master with compressed transactions (TRANSACTION_PAYLOAD) and partial JSON updates.</summary>
public sealed class MySqlCompressedJsonServers() : PitfallServers(TestServerOptions.MySql with
{
    TransactionCompression = true,
    ExtraArguments = ["--binlog-row-value-options=PARTIAL_JSON"],
});

/// <summary>MariaDB master with compressed binlog events (log_bin_compress).</summary>
public sealed class MariaDbCompressedServers() : PitfallServers(TestServerOptions.MariaDb with { LogBinCompress = true });

/// <summary>
/// PITFALLS "Flashback tools ... break on MySQL 8 features (JSON, new types, compression)", "TIMESTAMP is UTC seconds;
/// DATETIME is wall clock", "Replaying archived files one by one ... breaks on temporary tables" and "Column names ...
/// MINIMAL": find, flashback and point-in-time restore over an archive that is a copy of the master's binlog files.
/// </summary>
public abstract class RestorePitfallTests<TServers>(TServers servers) where TServers : PitfallServers
{
    /// <summary>Each test archives only its own binlog files, restored into a target reset before.</summary>
    private static readonly RestoreOptions FromArchiveStart = new() { AllowArchiveWithoutBase = true };

    private TestServer Master => servers.Master;

    private bool IsMySql => Master.Flavor == ServerFlavor.MySql;

    [Fact]
    public async Task Flashback_of_json_updates_and_deletes_in_a_compressed_transaction_restores_the_exact_before_documents()
    {
        var firstFile = await RotateAsync();
        await Master.ExecuteAsync("""
            DROP DATABASE IF EXISTS pj;
            CREATE DATABASE pj;
            CREATE TABLE pj.keyed (id INT PRIMARY KEY, doc JSON);
            CREATE TABLE pj.loose (k INT, doc JSON, f FLOAT);
            INSERT INTO pj.keyed VALUES
              (1, '{"a": 1, "b": [true, false, null], "s": "quote \\" backslash \\\\ tab \\t café \\ud83d\\ude00", "n": {"deep": [1.5, -0.25, 1e300, 0.1]}}'),
              (2, '[18446744073709551615, -9223372036854775808, 3.14159265358979, "x"]'),
              (3, '"just a string"'),
              (4, '{"big": 12345678901234567890, "neg": -1, "tiny": 5e-324}'),
              (5, NULL);
            INSERT INTO pj.loose VALUES (1, '{"k": [1, 2, 3]}', 1.1), (2, '{"k": {"z": "y"}}', -0.3), (2, '{"k": {"z": "y"}}', -0.3);
            """);
        var before = await JsonStateAsync();
        var gtid = await CommitAsync("""
            START TRANSACTION;
            UPDATE pj.keyed SET doc = JSON_SET(doc, '$.a', 99, '$.n.deep[1]', 'changed') WHERE id = 1;
            UPDATE pj.keyed SET doc = JSON_REPLACE(doc, '$[2]', 2.5) WHERE id = 2;
            UPDATE pj.keyed SET doc = '{"replaced": true}' WHERE id IN (3, 5);
            DELETE FROM pj.keyed WHERE id = 4;
            UPDATE pj.loose SET doc = JSON_SET(doc, '$.k[0]', 'one'), f = 2.2 WHERE k = 1;
            DELETE FROM pj.loose WHERE k = 2 LIMIT 1;
            COMMIT;
            """);
        Assert.NotEqual(before, await JsonStateAsync());
        using var archive = new TempDirectory();
        var source = await CopyArchiveAsync(archive, firstFile);
        Assert.True(await IsCompressedAsync(source, gtid), $"{gtid} was not written compressed");

        var script = await new FlashbackBuilder(source).BuildAsync([gtid], default);
        var run = await Master.RunClientAsync(script.ToSql());

        Assert.True(run.ExitCode == 0, run.StandardError + "\n" + script.ToSql());
        var after = await JsonStateAsync();
        Assert.True(before == after, $"before:\n{before}\nafter flashback:\n{after}\nscript:\n{script.ToSql()}");
    }

    [Fact]
    public async Task Timestamps_written_under_plus_0530_and_named_zone_sessions_are_found_in_utc_flashed_back_and_restored_exactly()
    {
        await Master.LoadTimeZoneAsync("Europe/Berlin", default);
        var firstFile = await RotateAsync();
        await Master.ExecuteAsync("""
            DROP DATABASE IF EXISTS ptz;
            CREATE DATABASE ptz;
            CREATE TABLE ptz.t (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6) NULL);
            SET SESSION time_zone = '+05:30';
            INSERT INTO ptz.t VALUES (1, '2026-01-01 00:00:00.000001', '2026-01-01 00:00:00.000001'), (2, '2026-07-01 12:00:00', '2026-07-01 12:00:00');
            SET SESSION time_zone = 'Europe/Berlin';
            INSERT INTO ptz.t VALUES (3, '2026-03-29 03:30:00.5', '2026-03-29 03:30:00.5');
            """);
        var before = await TimeStateAsync();
        var gtid = await CommitAsync("""
            SET SESSION time_zone = '+05:30';
            START TRANSACTION;
            DELETE FROM ptz.t WHERE id = 1;
            UPDATE ptz.t SET ts = '2030-01-01 00:00:00', dt = '2030-01-01 00:00:00' WHERE id IN (2, 3);
            COMMIT;
            """);
        using var archive = new TempDirectory();
        var source = await CopyArchiveAsync(archive, firstFile);

        var found = new List<FoundChange>();
        await foreach (var change in new RowChangeFinder(source).FindAsync(new ChangeQuery("ptz.t", RowFilter.Parse("id=1"), RowOperation.Delete), default))
        {
            found.Add(change);
        }

        var deleted = Assert.Single(found);
        Assert.Equal(gtid, deleted.Gtid);
        Assert.Equal("2025-12-31 18:30:00.000001", deleted.Before!.Single(p => p.Key == "ts").Value); // the instant, printed in UTC
        Assert.Equal("2026-01-01 00:00:00.000001", deleted.Before!.Single(p => p.Key == "dt").Value); // the wall clock as written

        // restore to just before the bad transaction, into the target, equals the master's state at that point
        await TargetInstance.ResetAsync(servers.Target.AdminConnectionString, default);
        var restore = new PointInTimeRestore(source);
        await restore.ReplayAsync(await restore.PlanAsync(RestoreTarget.BeforeGtid(gtid), [], FromArchiveStart, default), servers.Target.AdminConnectionString, null, default);
        Assert.Equal(before, await TimeStateAsync(servers.Target));

        var script = await new FlashbackBuilder(source).BuildAsync([gtid], default);
        var run = await Master.RunClientAsync(script.ToSql());
        Assert.True(run.ExitCode == 0, run.StandardError + "\n" + script.ToSql());
        Assert.Equal(before, await TimeStateAsync());
    }

    /// <summary>Run by the flavour classes (MariaDB's is skipped, see there).</summary>
    protected async Task A_temporary_table_across_a_rotation_is_logged_as_statements_only_under_statement_format_and_the_single_stream_restore_equals_the_master()
    {
        var setupFile = await RotateAsync();
        await Master.ExecuteAsync("DROP DATABASE IF EXISTS ptmp; CREATE DATABASE ptmp; CREATE TABLE ptmp.t (id INT PRIMARY KEY, v VARCHAR(20)); CREATE TABLE ptmp.r (id INT PRIMARY KEY, v VARCHAR(20))");
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        var firstFile = (await Master.BinlogFilesAsync())[^1];
        // A session may not switch binlog_format while it has temporary tables: one session per format.
        await using var statement = await Master.OpenAdminConnectionAsync();
        await using var row = await Master.OpenAdminConnectionAsync();
        foreach (var (session, sql) in new[]
        {
            // STATEMENT: the temporary table's DDL and the statements reading it go to the binlog
            (statement, "SET SESSION binlog_format = 'STATEMENT'"),
            (statement, "CREATE TEMPORARY TABLE ptmp.stmt_tmp (id INT PRIMARY KEY, v VARCHAR(20))"),
            (statement, "INSERT INTO ptmp.stmt_tmp VALUES (1, 'one'), (2, 'two')"),
            // ROW: nothing about this temporary table is logged, only the rows it produces in real tables
            (row, "SET SESSION binlog_format = 'ROW'"),
            (row, "CREATE TEMPORARY TABLE ptmp.row_tmp (id INT PRIMARY KEY, v VARCHAR(20))"),
            (row, "INSERT INTO ptmp.row_tmp VALUES (10, 'ten'), (11, 'eleven')"),
            (row, "FLUSH BINARY LOGS"),
            (statement, "INSERT INTO ptmp.t SELECT * FROM ptmp.stmt_tmp"),
            (row, "INSERT INTO ptmp.r SELECT * FROM ptmp.row_tmp"),
            (statement, "UPDATE ptmp.t SET v = CONCAT(v, '!') WHERE id IN (SELECT id FROM ptmp.stmt_tmp)"),
            (statement, "DROP TEMPORARY TABLE ptmp.stmt_tmp"),
            (row, "DROP TEMPORARY TABLE ptmp.row_tmp"),
        })
        {
            await using var command = session.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }

        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        using var archive = new TempDirectory();
        var source = await CopyArchiveAsync(archive, setupFile);
        var statements = new List<(string File, string Query)>();
        var rowsTables = new List<string>();
        await foreach (var transaction in new TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, default))
        {
            foreach (var e in transaction.Events.Where(e => string.CompareOrdinal(e.File, firstFile) >= 0))
            {
                foreach (var inner in e.Event is TransactionPayloadEvent p ? p.Events : [e.Event])
                {
                    if (inner is QueryEvent { IsBegin: false, IsCommit: false } q && q.Query.Contains("ptmp", StringComparison.Ordinal))
                    {
                        statements.Add((e.File, q.Query));
                    }
                    else if (inner is RowsEvent rows && rows.Table.Schema == "ptmp")
                    {
                        rowsTables.Add(rows.Table.Table);
                    }
                }
            }
        }

        var secondFile = source.Segments.Select(s => s.Name).First(n => string.CompareOrdinal(n, firstFile) > 0);
        Assert.Contains(statements, s => s.File == firstFile && s.Query.StartsWith("CREATE TEMPORARY TABLE ptmp.stmt_tmp", StringComparison.Ordinal));
        Assert.Contains(statements, s => s.File == secondFile && s.Query.StartsWith("INSERT INTO ptmp.t SELECT", StringComparison.Ordinal));
        Assert.DoesNotContain(statements, s => s.Query.Contains("row_tmp", StringComparison.Ordinal) && !s.Query.StartsWith("DROP", StringComparison.Ordinal));
        Assert.Contains("r", rowsTables);
        Assert.DoesNotContain("row_tmp", rowsTables);

        await TargetInstance.ResetAsync(servers.Target.AdminConnectionString, default);
        var restore = new PointInTimeRestore(source);
        await restore.ReplayAsync(await restore.PlanAsync(RestoreTarget.Latest, [], FromArchiveStart, default), servers.Target.AdminConnectionString, null, default);
        Assert.Equal(
            await SnapshotStory.ChecksumsAsync(Master, ["ptmp.t", "ptmp.r"]),
            await SnapshotStory.ChecksumsAsync(servers.Target, ["ptmp.t", "ptmp.r"]));
        Assert.Equal("1 one!,2 two!", await servers.Target.ScalarAsync<string>("SELECT GROUP_CONCAT(id, ' ', v ORDER BY id) FROM ptmp.t"));
    }

    [Fact]
    public async Task Flashback_of_a_table_logged_without_column_names_refuses_asking_for_full_row_metadata_instead_of_guessing()
    {
        using var archive = new TempDirectory();
        var (source, gtid) = await WriteMinimalMetadataArchiveAsync(archive);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await new FlashbackBuilder(source).BuildAsync([gtid], default));

        Assert.Contains("pmin.t", error.Message, StringComparison.Ordinal);
        Assert.Contains(gtid, error.Message, StringComparison.Ordinal);
        Assert.Contains("binlog_row_metadata=FULL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_by_column_name_on_a_table_logged_without_names_refuses_and_by_position_finds_the_delete()
    {
        using var archive = new TempDirectory();
        var (source, gtid) = await WriteMinimalMetadataArchiveAsync(archive);

        var error = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in new RowChangeFinder(source).FindAsync(new ChangeQuery("pmin.t", RowFilter.Parse("id=1"), RowOperation.Delete), default))
            {
            }
        });
        Assert.Contains("pmin.t", error.Message, StringComparison.Ordinal);
        Assert.Contains("binlog_row_metadata=FULL", error.Message, StringComparison.Ordinal);
        Assert.Contains("@1", error.Message, StringComparison.Ordinal);

        // after ALTER ... FIRST, id is the second column
        var found = new List<FoundChange>();
        await foreach (var change in new RowChangeFinder(source).FindAsync(new ChangeQuery("pmin.t", RowFilter.Parse("@2=1"), RowOperation.Delete), default))
        {
            found.Add(change);
        }

        Assert.Equal(gtid, Assert.Single(found).Gtid);
    }

    /// <summary>Restore takes the column names from the target's own tables, which the replayed DDL keeps in step.</summary>
    protected async Task A_minimal_metadata_archive_with_an_alter_table_that_moves_columns_restores_equal_to_the_master()
    {
        using var archive = new TempDirectory();
        var (source, _) = await WriteMinimalMetadataArchiveAsync(archive);

        await TargetInstance.ResetAsync(servers.Target.AdminConnectionString, default);
        var restore = new PointInTimeRestore(source);
        await restore.ReplayAsync(await restore.PlanAsync(RestoreTarget.Latest, [], FromArchiveStart, default), servers.Target.AdminConnectionString, null, default);

        Assert.Equal(await SnapshotStory.ChecksumsAsync(Master, ["pmin.t"]), await SnapshotStory.ChecksumsAsync(servers.Target, ["pmin.t"]));
        Assert.Equal("8 4294967295 max 18446744073709551614", await servers.Target.ScalarAsync<string>("SELECT CONCAT_WS(' ', first_col, id, v, big) FROM pmin.t"));
    }

    /// <summary>A workload written with binlog_row_metadata=MINIMAL (UNSIGNED maxima, an ALTER TABLE ... FIRST), ending in a DELETE.</summary>
    private async Task<(ArchiveSource Source, string DeleteGtid)> WriteMinimalMetadataArchiveAsync(TempDirectory archive)
    {
        var firstFile = await RotateAsync();
        await Master.ExecuteAsync("SET GLOBAL binlog_row_metadata = MINIMAL");
        MySqlConnector.MySqlConnection.ClearAllPools(); // pooled sessions may keep the old setting
        string gtid;
        try
        {
            await Master.ExecuteAsync("""
                DROP DATABASE IF EXISTS pmin;
                CREATE DATABASE pmin;
                CREATE TABLE pmin.t (id INT UNSIGNED PRIMARY KEY, v VARCHAR(10), big BIGINT UNSIGNED);
                INSERT INTO pmin.t VALUES (4294967295, 'max', 18446744073709551615), (1, 'one', 1);
                ALTER TABLE pmin.t ADD COLUMN first_col INT NOT NULL DEFAULT 7 FIRST;
                UPDATE pmin.t SET big = big - 1, first_col = 8 WHERE id = 4294967295;
                """);
            gtid = await CommitAsync("DELETE FROM pmin.t WHERE id = 1");
        }
        finally
        {
            await Master.ExecuteAsync("SET GLOBAL binlog_row_metadata = FULL");
            MySqlConnector.MySqlConnection.ClearAllPools();
        }

        var source = await CopyArchiveAsync(archive, firstFile);
        var maps = new List<TableMapEvent>();
        await foreach (var t in new TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, default))
        {
            maps.AddRange(t.Events.SelectMany(e => e.Event is TransactionPayloadEvent p ? p.Events : [e.Event]).OfType<TableMapEvent>().Where(m => m.Schema == "pmin"));
        }

        Assert.Equal(3, maps.Count);
        Assert.All(maps, m => Assert.False(m.HasColumnNames));
        return (source, gtid);
    }

    /// <summary>Runs <paramref name="sql"/> (one transaction) and returns its GTID.</summary>
    private async Task<string> CommitAsync(string sql)
    {
        await using var connection = await Master.OpenAdminConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT @@global.gtid_executed";
        var executed = IsMySql ? (string)(await command.ExecuteScalarAsync())! : "";
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
        command.CommandText = IsMySql ? "SELECT GTID_SUBTRACT(@@global.gtid_executed, @before)" : "SELECT @@last_gtid";
        command.Parameters.AddWithValue("@before", executed);
        var gtid = ((string)(await command.ExecuteScalarAsync())!).Replace("\n", "", StringComparison.Ordinal).Trim();
        Assert.DoesNotContain(",", gtid, StringComparison.Ordinal);
        return gtid;
    }

    /// <summary>Rotates the master's binlog; returns the new (empty) file, where the test's archive will start.</summary>
    private async Task<string> RotateAsync()
    {
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        return (await Master.BinlogFilesAsync())[^1];
    }

    /// <summary>The archive: a copy of the master's binlog files from <paramref name="firstFile"/> on (the tests of the class share the master).</summary>
    private async Task<ArchiveSource> CopyArchiveAsync(TempDirectory archive, string firstFile)
    {
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        foreach (var file in (await Master.BinlogFilesAsync()).Where(f => string.CompareOrdinal(f, firstFile) >= 0))
        {
            File.Copy(Master.BinlogPath(file), Path.Combine(archive.Path, file));
        }

        return await ArchiveSource.OpenAsync(archive.Path, null, default);
    }

    private static async Task<bool> IsCompressedAsync(ArchiveSource source, string gtid)
    {
        await foreach (var t in new TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, default))
        {
            if (t.Gtid == gtid)
            {
                return t.Events.Any(e => e.Event is TransactionPayloadEvent || e.Event is RowsEvent { IsCompressed: true });
            }
        }

        return false;
    }

    private Task<string?> JsonStateAsync() => Master.ScalarAsync<string>(
        "SELECT CONCAT((SELECT GROUP_CONCAT(id, '=', IFNULL(doc, 'NULL') ORDER BY id SEPARATOR ' | ') FROM pj.keyed), ' || ', " +
        "(SELECT GROUP_CONCAT(k, '=', doc, '=', f ORDER BY k, doc SEPARATOR ' | ') FROM pj.loose))");

    private Task<string?> TimeStateAsync(TestServer? server = null) => (server ?? Master).ScalarAsync<string>(
        "SELECT GROUP_CONCAT(id, '=', IFNULL(UNIX_TIMESTAMP(ts), 'NULL'), '/', IFNULL(dt, 'NULL') ORDER BY id SEPARATOR ' ') FROM ptz.t");
}

public sealed class MySqlRestorePitfallTests(MySqlCompressedJsonServers servers) : RestorePitfallTests<MySqlCompressedJsonServers>(servers), IClassFixture<MySqlCompressedJsonServers>
{
    [Fact]
    public Task Temporary_table_statements_across_a_rotation_replay_as_one_stream_equal_to_the_master() =>
        A_temporary_table_across_a_rotation_is_logged_as_statements_only_under_statement_format_and_the_single_stream_restore_equals_the_master();

    [Fact]
    public Task Restores_a_minimal_metadata_archive_with_an_alter_table_that_moves_columns_equal_to_the_master() =>
        A_minimal_metadata_archive_with_an_alter_table_that_moves_columns_restores_equal_to_the_master();
}

public sealed class MariaDbRestorePitfallTests(MariaDbCompressedServers servers) : RestorePitfallTests<MariaDbCompressedServers>(servers), IClassFixture<MariaDbCompressedServers>
{
    [Fact]
    public Task Temporary_table_statements_across_a_rotation_replay_as_one_stream_equal_to_the_master() =>
        A_temporary_table_across_a_rotation_is_logged_as_statements_only_under_statement_format_and_the_single_stream_restore_equals_the_master();

    [Fact]
    public Task Restores_a_minimal_metadata_archive_with_an_alter_table_that_moves_columns_equal_to_the_master() =>
        A_minimal_metadata_archive_with_an_alter_table_that_moves_columns_restores_equal_to_the_master();
}

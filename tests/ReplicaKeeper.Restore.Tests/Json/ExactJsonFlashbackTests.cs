using System.Globalization;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Flashback;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Json;

/// <summary>MySQL with partial JSON updates in the binlog (binlog_row_value_options=PARTIAL_JSON).</summary>
public sealed class MySqlPartialJsonFixture() : TestServerFixture(TestServerOptions.MySql with { ExtraArguments = ["--binlog-row-value-options=PARTIAL_JSON"] });

/// <summary>
/// Flashback of deletes, updates (whole and partial) and inserts of MySQL JSON documents holding DECIMAL, DATETIME,
/// DATE, TIME and TIMESTAMP scalars restores the same binary documents: CHECKSUM TABLE and the JSON_TYPE of every
/// typed path equal the state before the transaction (real MySQL 9.7).
/// </summary>
public sealed class ExactJsonFlashbackTests(MySqlPartialJsonFixture fixture) : IClassFixture<MySqlPartialJsonFixture>
{
    private static readonly string[] Paths =
        ["$.price", "$.at", "$.big", "$[0]", "$[1]", "$[2]", "$[3]", "$[4]", "$.d", "$.t", "$.ts", "$.u", "$.z", "$.\"ключ\"[0].d"];

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Flashback_restores_json_documents_with_decimal_and_temporal_scalars_exactly()
    {
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var firstFile = (await Server.BinlogFilesAsync())[^1];
        await Server.ExecuteAsync("""
            DROP DATABASE IF EXISTS fjx;
            CREATE DATABASE fjx;
            CREATE TABLE fjx.keyed (id INT PRIMARY KEY, doc JSON NULL);
            CREATE TABLE fjx.loose (k INT NULL, doc JSON NULL);
            CREATE TABLE fjx.stamps (id INT PRIMARY KEY, ts TIMESTAMP(6));
            INSERT INTO fjx.stamps VALUES (1, '2021-03-04 05:06:07.25');
            INSERT INTO fjx.keyed VALUES
              (1, JSON_OBJECT('price', 12.50, 'at', CAST('2024-01-02 03:04:05.123456' AS DATETIME(6)), 'big', 12345678901234567890.123456789)),
              (2, JSON_ARRAY(CAST('-0.000000000000000000000000000001' AS DECIMAL(31,30)), CAST(99 AS DECIMAL(2,0)), CAST('-838:59:59' AS TIME), CAST('0001-01-01' AS DATE), -0.0e0)),
              (3, JSON_OBJECT('ключ', JSON_ARRAY(JSON_OBJECT('d', 1.5, 's', 'it''s ? \\\\ "q"')), 'u', CAST(18446744073709551615 AS UNSIGNED), 'z', 1e308, 't', true, 'n', NULL));
            INSERT INTO fjx.keyed SELECT 10 + id, JSON_OBJECT('ts', ts, 'd', CAST('2000-02-29' AS DATE)) FROM fjx.stamps;
            INSERT INTO fjx.loose SELECT id, doc FROM fjx.keyed;
            """);
        var before = await StateAsync();
        var gtid = await CommitAsync("""
            START TRANSACTION;
            UPDATE fjx.keyed SET doc = JSON_SET(doc, '$.price', 1.0, '$.at', 'text now') WHERE id = 1;
            UPDATE fjx.keyed SET doc = JSON_ARRAY(1, 2) WHERE id = 2;
            DELETE FROM fjx.keyed WHERE id IN (3, 11);
            UPDATE fjx.loose SET doc = JSON_SET(doc, '$[1]', CAST(7.5 AS DECIMAL(2,1))), k = 20 WHERE k = 2;
            DELETE FROM fjx.loose WHERE k IN (1, 3);
            INSERT INTO fjx.loose VALUES (30, JSON_OBJECT('price', 3.000, 'at', CAST('2030-01-01' AS DATE)));
            COMMIT;
            """);
        Assert.NotEqual(before, await StateAsync());

        using var archive = new TempDirectory();
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        foreach (var file in (await Server.BinlogFilesAsync()).Where(f => string.CompareOrdinal(f, firstFile) >= 0))
        {
            File.Copy(Server.BinlogPath(file), Path.Combine(archive.Path, file));
        }

        var source = await ArchiveSource.OpenAsync(archive.Path, null, default);
        var script = await new FlashbackBuilder(source).BuildAsync([gtid], default);
        Assert.Contains("AS DECIMAL(4,2))", script.ToSql(), StringComparison.Ordinal);
        var run = await Server.RunClientAsync(script.ToSql());

        Assert.True(run.ExitCode == 0, run.StandardError + "\n" + script.ToSql());
        var after = await StateAsync();
        Assert.True(before == after, $"before:\n{before}\nafter flashback:\n{after}\nscript:\n{script.ToSql()}");
    }

    /// <summary>CHECKSUM TABLE of both tables and every row's JSON_TYPE at every typed path.</summary>
    private async Task<string> StateAsync()
    {
        var types = string.Join(", ", Paths.Select(p => $"COALESCE(JSON_TYPE(JSON_EXTRACT(doc, '{p}')), '-')"));
        var state = new List<string>();
        foreach (var (table, key) in new[] { ("keyed", "id"), ("loose", "k") })
        {
            state.Add(await ChecksumAsync(table));
            state.Add(await Server.ScalarAsync<string>($"SELECT GROUP_CONCAT(CONCAT_WS(',', {key}, {types}, doc) ORDER BY {key} SEPARATOR ' | ') FROM fjx.{table}") ?? "");
        }

        return string.Join("\n", state);
    }

    private async Task<string> ChecksumAsync(string table)
    {
        await using var connection = await Server.OpenAdminConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CHECKSUM TABLE fjx.{table}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return table + " checksum " + Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture);
    }

    private async Task<string> CommitAsync(string sql)
    {
        await using var connection = await Server.OpenAdminConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT @@global.gtid_executed";
        var executed = (string)(await command.ExecuteScalarAsync())!;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
        command.CommandText = "SELECT GTID_SUBTRACT(@@global.gtid_executed, @before)";
        command.Parameters.AddWithValue("@before", executed);
        return ((string)(await command.ExecuteScalarAsync())!).Replace("\n", "", StringComparison.Ordinal).Trim();
    }
}

using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Live;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Stock;

/// <summary>
/// The archive is readable by the stock tools: after a mixed workload with rotations, the sealed
/// (compressed, encrypted) segments are decoded with <see cref="SegmentCodec"/> and piped through
/// mariadb-binlog / mysqlbinlog into a fresh server of the same flavour, which must end up with the
/// master's data (CHECKSUM TABLE of every user table equal).
/// </summary>
public abstract class StockToolReplayTests(TestServer master)
{
    private const string Schema = "stock";

    [Fact]
    public async Task Stock_binlog_tool_replays_the_decoded_sealed_segments_into_a_fresh_server_with_the_masters_data()
    {
        using var dir = new TempDirectory();
        using var key = new ArchiveKey(Enumerable.Range(1, ArchiveKey.Size).Select(i => (byte)i).ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await master.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var start = (await master.BinlogFilesAsync(cts.Token))[^1];
        var run = Task.Run(() => LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = dir.Layout,
            StartFile = start,
            Key = key,
            Replication = new ReplicationOptions
            {
                Connection = ConnectionOptions.Parse(master.ReplicationConnectionString),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
            },
        }, cts.Token));

        await Workload.RunAsync(master, rotations: 2, cts.Token, schema: Schema);
        await TypedWorkloadAsync(cts.Token);
        await master.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var closed = (await master.BinlogFilesAsync(cts.Token)).SkipLast(1).SkipWhile(f => f != start).ToList();
        Assert.True(closed.Count >= 4, $"only {closed.Count} closed segments");
        await LiveArchiverTests.WaitForSealedAsync(dir.Layout, closed, run, cts.Token);
        await cts.CancelAsync();
        await LiveArchiverTests.IgnoreCancellation(run);

        // decode (decrypt + decompress) every sealed segment to a plain binlog file named as the master's
        var decoded = Path.Combine(dir.Path, "decoded");
        Directory.CreateDirectory(decoded);
        var files = new List<string>();
        foreach (var entry in (await Manifest.ReadAsync(dir.Layout, CancellationToken.None)).Entries.Where(e => closed.Contains(e.Segment)))
        {
            Assert.Equal(SegmentCodec.AesGcm, entry.Encryption);
            var path = Path.Combine(decoded, entry.Segment);
            await using (var stored = File.OpenRead(dir.Layout.SealedPath(entry.StoredName!)))
            await using (var reader = SegmentCodec.OpenReader(stored, key, entry.Segment))
            await using (var plain = File.Create(path))
            {
                await reader.CopyToAsync(plain);
            }

            files.Add(path);
        }

        Assert.Equal(closed, files.Select(Path.GetFileName));
        await using var fresh = await TestServer.StartAsync(master.Options with { Standby = false });
        var replay = await fresh.ReplayBinlogAsync(files);
        replay.EnsureSuccess("stock binlog tool | client");

        var tables = await UserTablesAsync(master);
        Assert.Contains($"{Schema}.t", tables);
        Assert.Contains($"{Schema}.typed", tables);
        Assert.Equal(tables, await UserTablesAsync(fresh));
        foreach (var table in tables)
        {
            Assert.Equal(await ChecksumAsync(master, table), await ChecksumAsync(fresh, table));
        }
    }

    /// <summary>Column types stock tools must carry exactly: decimals, fractional times, JSON, ENUM/SET, utf8mb4, bits, NULLs.</summary>
    private async Task TypedWorkloadAsync(CancellationToken ct)
    {
        await master.ExecuteAsync($"""
            CREATE TABLE {Schema}.typed (
              id INT PRIMARY KEY, d DECIMAL(40,10), f DOUBLE, t DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(2),
              j JSON, e ENUM('a','b','c'), s SET('x','y','z'), u VARCHAR(50) CHARACTER SET utf8mb4, bi BIT(10),
              big BIGINT UNSIGNED, n INT NULL) ENGINE=InnoDB
            """, ct);
        for (var i = 1; i <= 30; i++)
        {
            var nullable = i % 4 == 0 ? "NULL" : i.ToString(CultureInfo.InvariantCulture);
            await master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $$"""
                INSERT INTO {{Schema}}.typed VALUES ({{i}}, -{{i}}2345678901234567890.0123456789, {{i}}.5e-3, '2024-02-29 23:59:59.{{i:000000}}',
                  '2025-01-0{{1 + (i % 9)}} 10:00:00.123', '-{{i}}:30:15.25', '{"k": {{i}}, "a": [1, "x", null]}', '{{"abc"[i % 3]}}', 'x,z',
                  'Zürich ✓ 患者 {{i}}', b'1010101010', 18446744073709551615 - {{i}}, {{nullable}})
                """), ct);
        }

        await master.ExecuteAsync($"BEGIN; UPDATE {Schema}.typed SET j = JSON_SET(j, '$.k', 'changed'), d = d * 2 WHERE id % 2 = 0; DELETE FROM {Schema}.typed WHERE id % 5 = 0; COMMIT", ct);
        await master.ExecuteAsync("FLUSH BINARY LOGS", ct);
        await master.ExecuteAsync($"ALTER TABLE {Schema}.typed ADD COLUMN extra VARCHAR(20) DEFAULT 'dflt'", ct);
        await master.ExecuteAsync($"UPDATE {Schema}.typed SET extra = CONCAT('e', id) WHERE id < 10", ct);
    }

    private static async Task<List<string>> UserTablesAsync(TestServer server)
    {
        await using var connection = await server.OpenAdminConnectionAsync();
        await using var command = new MySqlCommand(
            "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            + "AND table_schema NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema', 'replicakeeper') ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static async Task<string> ChecksumAsync(TestServer server, string table)
    {
        await using var connection = await server.OpenAdminConnectionAsync();
        await using var command = new MySqlCommand($"CHECKSUM TABLE {table} EXTENDED", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.IsDBNull(1) ? "(no table)" : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)!;
    }
}

public sealed class MariaDbStockToolReplayTests(MariaDbFixture fixture) : StockToolReplayTests(fixture.Server), IClassFixture<MariaDbFixture>;

public sealed class MySqlStockToolReplayTests(MySqlFixture fixture) : StockToolReplayTests(fixture.Server), IClassFixture<MySqlFixture>;

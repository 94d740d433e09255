using System.Collections.Concurrent;
using System.Diagnostics;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Live;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Pitfalls;

/// <summary>
/// MariaDB master with binlog_checksum=NONE and semi-sync on (rpl_semi_sync_master_enabled; a
/// short timeout so commits do not wait for a semi-sync replica that never comes).
/// </summary>
public sealed class SemiSyncChecksumlessMariaDbFixture() : TestServerFixture(TestServerOptions.MariaDb with
{
    BinlogChecksumNone = true,
    ExtraArguments = ["--rpl-semi-sync-master-enabled=ON", "--rpl-semi-sync-master-timeout=100"],
});

/// <summary>
/// PITFALLS: "Checksums: the FORMAT_DESCRIPTION event says whether events end with CRC32",
/// "Semi-sync header bytes (0xEF) if the master has semi-sync on" and "WAL-G and similar archive
/// only closed binlog files: RPO equals the rotation interval".
/// </summary>
public sealed class SemiSyncChecksumlessMasterTests(SemiSyncChecksumlessMariaDbFixture fixture) : IClassFixture<SemiSyncChecksumlessMariaDbFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_semi_sync_master_without_checksums_is_archived_byte_identical()
    {
        Assert.Equal("NONE", await Server.ScalarAsync<string>("SELECT @@global.binlog_checksum"));
        Assert.Equal(1L, await Server.ScalarAsync<long>("SELECT @@global.rpl_semi_sync_master_enabled"));
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var start = (await Server.BinlogFilesAsync(cts.Token))[^1];
        var run = Task.Run(() => LiveArchiver.RunAsync(Options(dir.Layout, start, null), cts.Token), CancellationToken.None);

        await Server.ExecuteAsync(
            "CREATE DATABASE IF NOT EXISTS pit_semi; CREATE TABLE pit_semi.t (id INT PRIMARY KEY, v VARCHAR(20)); " +
            "INSERT INTO pit_semi.t VALUES (1, 'a'), (2, 'b'); UPDATE pit_semi.t SET v = 'c' WHERE id = 2; DELETE FROM pit_semi.t WHERE id = 1; " +
            "DROP DATABASE pit_semi", cts.Token);
        await Server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        await LiveArchiverTests.WaitForSealedAsync(dir.Layout, [start], run, cts.Token);
        await cts.CancelAsync();
        await LiveArchiverTests.IgnoreCancellation(run);

        var (entry, archived) = await LiveArchiverTests.ReadSealedAsync(dir.Layout, start);
        Assert.Equal(File.ReadAllBytes(Server.BinlogPath(start)), archived);
        Assert.Equal(6, entry.Transactions);
    }

    [Fact]
    public async Task A_commit_is_durable_in_the_archive_long_before_its_binlog_file_is_closed()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await Server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var file = (await Server.BinlogFilesAsync(cts.Token))[^1];
        var durable = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var run = Task.Run(() => LiveArchiver.RunAsync(Options(dir.Layout, file, batch =>
        {
            foreach (var transaction in batch.Transactions)
            {
                durable[transaction.Id?.ToString() ?? ""] = true;
            }
        }), cts.Token), CancellationToken.None);

        await using var connection = await Server.OpenAdminConnectionAsync(cts.Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE DATABASE IF NOT EXISTS pit_rpo; CREATE TABLE IF NOT EXISTS pit_rpo.t (id INT PRIMARY KEY); INSERT INTO pit_rpo.t VALUES (1); SELECT @@last_gtid";
        var gtid = (string)(await command.ExecuteScalarAsync(cts.Token))!;
        var clock = Stopwatch.StartNew();
        while (!durable.ContainsKey(gtid) && !run.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.True(durable.ContainsKey(gtid), $"{gtid} did not become durable in the archive");
        Assert.Equal(file, (await Server.BinlogFilesAsync(cts.Token))[^1]); // the master has not rotated: the open file is archived as it grows
        Assert.True(File.Exists(dir.Layout.RawSegmentPath(file)));
        await cts.CancelAsync();
        await LiveArchiverTests.IgnoreCancellation(run);
        await Server.ExecuteAsync("DROP DATABASE pit_rpo", CancellationToken.None);
    }

    private LiveArchiverOptions Options(ArchiveLayout layout, string startFile, Action<ReplicaKeeper.Archive.Segments.DurableBatch>? observer) => new()
    {
        Layout = layout,
        StartFile = startFile,
        TransactionsDurable = observer,
        Replication = new ReplicationOptions
        {
            Connection = ConnectionOptions.Parse(Server.ReplicationConnectionString),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        },
    };
}

using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Archive.Tests.Live;

/// <summary>
/// The archiver as a semi-sync replica (<c>archive --ack</c>): with the master's semi-sync timeout at 10 s, commits
/// return quickly only because the archiver acknowledges each transaction after its fsync, the master counts them as
/// semi-sync (yes_tx), and the sealed segment is still byte-identical to the master's binlog file.
/// </summary>
public abstract class SemiSyncArchiverTests(TestServer server, ITestOutputHelper output)
{
    private bool IsMariaDb => server.Flavor == ServerFlavor.MariaDb;

    private string Prefix => IsMariaDb ? "rpl_semi_sync_master" : "rpl_semi_sync_source";

    [Fact]
    public async Task Archiver_with_ack_makes_semi_sync_commits_return_quickly_and_archives_byte_identical_segments()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cts.Token;
        await server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_ack; DROP TABLE IF EXISTS rk_ack.t; CREATE TABLE rk_ack.t (id INT PRIMARY KEY, v VARCHAR(40))", ct);
        await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
        var file = (await server.BinlogFilesAsync(ct))[^1];
        if (!IsMariaDb && await server.ScalarAsync<long>("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'rpl_semi_sync_source'", ct) == 0)
        {
            await server.ExecuteAsync("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", ct);
        }

        await server.ExecuteAsync($"SET GLOBAL {Prefix}_timeout = 10000; SET GLOBAL {Prefix}_enabled = ON", ct);
        try
        {
            var run = Task.Run(() => LiveArchiver.RunAsync(new LiveArchiverOptions
            {
                Layout = dir.Layout,
                StartFile = file,
                Replication = new ReplicationOptions
                {
                    Connection = ConnectionOptions.Parse(server.ReplicationConnectionString),
                    HeartbeatInterval = TimeSpan.FromSeconds(1),
                    SemiSyncAck = true,
                },
            }, ct), CancellationToken.None);
            while (await StatusAsync("clients", ct) < 1)
            {
                Assert.False(run.IsCompleted, "the archiver stopped");
                await Task.Delay(20, ct);
            }

            var yesBefore = await StatusAsync("yes_tx", ct);
            var slowest = TimeSpan.Zero;
            for (var i = 1; i <= 8; i++)
            {
                var clock = Stopwatch.StartNew();
                await server.ExecuteAsync(i % 4 == 0
                    ? $"BEGIN; UPDATE rk_ack.t SET v = 'u{i}' WHERE id < {i}; DELETE FROM rk_ack.t WHERE id = {i - 1}; COMMIT"
                    : $"INSERT INTO rk_ack.t VALUES ({i}, 'row {i}')", ct);
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            }

            var acknowledged = await StatusAsync("yes_tx", ct) - yesBefore;
            output.WriteLine($"{server.Flavor}: slowest of 8 semi-sync commits {slowest.TotalMilliseconds:0} ms, yes_tx +{acknowledged}");
            Assert.True(slowest < TimeSpan.FromSeconds(3), $"a commit took {slowest}: it waited for the 10 s semi-sync timeout, not for the archiver's ACK");
            Assert.Equal(8, acknowledged);

            await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
            await LiveArchiverTests.WaitForSealedAsync(dir.Layout, [file], run, ct);
            await cts.CancelAsync();
            await LiveArchiverTests.IgnoreCancellation(run);
        }
        finally
        {
            await server.ExecuteAsync($"SET GLOBAL {Prefix}_timeout = 100; SET GLOBAL {Prefix}_enabled = OFF", CancellationToken.None);
        }

        var (entry, archived) = await LiveArchiverTests.ReadSealedAsync(dir.Layout, file);
        Assert.True(File.ReadAllBytes(server.BinlogPath(file)).AsSpan().SequenceEqual(archived), $"{file} differs from the master's file");
        Assert.Equal(8, entry.Transactions);
    }

    private async Task<long> StatusAsync(string name, CancellationToken ct)
    {
        await using var connection = await server.OpenAdminConnectionAsync(ct);
        await using var command = new MySqlCommand($"SHOW GLOBAL STATUS LIKE '{Prefix}_{name}'", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? long.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture) : -1;
    }
}

public sealed class MariaDbSemiSyncArchiverTests(MariaDbFixture fixture, ITestOutputHelper output)
    : SemiSyncArchiverTests(fixture.Server, output), IClassFixture<MariaDbFixture>;

public sealed class MySqlSemiSyncArchiverTests(MySqlFixture fixture, ITestOutputHelper output)
    : SemiSyncArchiverTests(fixture.Server, output), IClassFixture<MySqlFixture>;

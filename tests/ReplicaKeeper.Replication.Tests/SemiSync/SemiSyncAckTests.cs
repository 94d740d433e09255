using System.Diagnostics;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;
using static ReplicaKeeper.Replication.Tests.Streaming.ReplicationTestKit;

namespace ReplicaKeeper.Replication.Tests.SemiSync;

/// <summary>
/// <see cref="ReplicationOptions.SemiSyncAck"/> against a real semi-sync master: with a 10 s semi-sync timeout, a commit
/// returns quickly only because our stream acknowledges it, and only once the consumer has made it durable; the events
/// stay byte-identical to the master's binlog; with semi-sync off the stream works as usual.
/// </summary>
public abstract class SemiSyncAckTests(TestServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan MasterTimeout = TimeSpan.FromSeconds(10);

    private readonly SemiSyncMaster _master = new(server);

    private sealed record Run(ReplicationStream Stream, DurableFileConsumer Consumer, Task Consuming, string File, string CopyPath, CancellationTokenSource Stop);

    /// <summary>Creates the test's table while semi-sync is off (with it on and no replica yet, the DDL would wait out the timeout).</summary>
    private Task CreateTableAsync(string table, CancellationToken ct) =>
        server.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS rk_semi; DROP TABLE IF EXISTS rk_semi.{table}; CREATE TABLE rk_semi.{table} (id INT PRIMARY KEY, v VARCHAR(40))", ct);

    private async Task<Run> StartAsync(bool semiSync, CancellationToken ct)
    {
        await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
        var file = (await server.BinlogFilesAsync(ct))[^1];
        var stream = Client(server, tweak: o => o with { SemiSyncAck = true }).OpenStream(ReplicationCheckpoint.FromPosition(new BinlogPosition(file, 4)));
        var copy = Path.Combine(Path.GetTempPath(), $"rk-semi-{Guid.NewGuid():N}");
        var consumer = new DurableFileConsumer(stream, file, copy);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var consuming = Task.Run(() => consumer.RunAsync(stop.Token), CancellationToken.None);
        if (semiSync)
        {
            await _master.WaitForClientsAsync(1, ct);
        }
        else
        {
            while (stream.EventsReceived < 2)
            {
                await Task.Delay(20, ct);
            }
        }

        return new Run(stream, consumer, consuming, file, copy, stop);
    }

    /// <summary>Rotates the master so the consumer finishes its file, then checks the copy equals the master's file.</summary>
    private async Task FinishAndCompareAsync(Run run, CancellationToken ct)
    {
        await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
        await run.Consuming.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(File.ReadAllBytes(server.BinlogPath(run.File)), File.ReadAllBytes(run.CopyPath));
        File.Delete(run.CopyPath);
        run.Stop.Dispose();
    }

    private async Task<TimeSpan> CommitAsync(string sql, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await server.ExecuteAsync(sql, ct);
        return clock.Elapsed;
    }

    [Fact]
    public async Task Commits_return_quickly_because_the_stream_acknowledges_them_and_the_events_stay_byte_identical()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await _master.DisableAsync(ct);
        await CreateTableAsync("quick", ct);
        await _master.EnableAsync(MasterTimeout, ct);
        try
        {
            var run = await StartAsync(semiSync: true, ct);
            var yesBefore = await _master.YesTransactionsAsync(ct);
            var noBefore = await _master.NoTransactionsAsync(ct);
            var latencies = new List<TimeSpan>();
            for (var i = 1; i <= 5; i++)
            {
                latencies.Add(await CommitAsync($"INSERT INTO rk_semi.quick VALUES ({i}, 'row {i}')", ct));
            }

            latencies.Add(await CommitAsync("BEGIN; UPDATE rk_semi.quick SET v = 'updated' WHERE id <= 3; DELETE FROM rk_semi.quick WHERE id = 5; COMMIT", ct));
            output.WriteLine($"{server.Flavor}: commit latencies {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0} ms"))}, acks {run.Stream.SemiSyncAcksSent}");

            Assert.All(latencies, l => Assert.True(l < TimeSpan.FromSeconds(3), $"a commit took {l}: it waited for the semi-sync timeout, not for our ACK"));
            Assert.Equal(6, await _master.YesTransactionsAsync(ct) - yesBefore);
            Assert.Equal(0, await _master.NoTransactionsAsync(ct) - noBefore);
            Assert.True(run.Stream.SemiSyncActive);
            Assert.True(run.Stream.SemiSyncAcksSent >= 6, $"{run.Stream.SemiSyncAcksSent} ACKs sent");
            await FinishAndCompareAsync(run, ct);
        }
        finally
        {
            await _master.DisableAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_commit_waits_until_the_consumer_marks_its_transaction_durable()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await _master.DisableAsync(ct);
        await CreateTableAsync("slowdisk", ct);
        await _master.EnableAsync(MasterTimeout, ct);
        try
        {
            var run = await StartAsync(semiSync: true, ct);
            run.Consumer.DurableDelay = TimeSpan.FromMilliseconds(1500);
            var yesBefore = await _master.YesTransactionsAsync(ct);
            var latency = await CommitAsync("INSERT INTO rk_semi.slowdisk VALUES (1, 'slow')", ct);
            output.WriteLine($"{server.Flavor}: commit with a 1.5 s fsync returned after {latency.TotalMilliseconds:0} ms");

            Assert.True(latency >= TimeSpan.FromMilliseconds(1400), $"the commit returned after {latency}, before the transaction was durable");
            Assert.True(latency < MasterTimeout - TimeSpan.FromSeconds(2), $"the commit returned after {latency}: the master's timeout, not our ACK");
            Assert.Equal(1, await _master.YesTransactionsAsync(ct) - yesBefore);
            run.Consumer.DurableDelay = TimeSpan.Zero;
            await FinishAndCompareAsync(run, ct);
        }
        finally
        {
            await _master.DisableAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task With_semi_sync_off_on_the_master_the_stream_works_as_usual()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = cts.Token;
        await _master.DisableAsync(ct);
        await CreateTableAsync("plain", ct);
        var run = await StartAsync(semiSync: false, ct);
        for (var i = 1; i <= 3; i++)
        {
            await server.ExecuteAsync($"INSERT INTO rk_semi.plain VALUES ({i}, 'plain {i}')", ct);
        }

        while (run.Consumer.Transactions < 3)
        {
            await Task.Delay(20, ct);
        }

        Assert.Equal(0, run.Stream.SemiSyncAcksSent);

        // MariaDB still sends the (never flagged) header to a replica that asks; MySQL without the plugin sends none
        Assert.Equal(server.Flavor == ServerFlavor.MariaDb, run.Stream.SemiSyncActive);
        await FinishAndCompareAsync(run, ct);
    }
}

public sealed class MariaDbSemiSyncAckTests(MariaDbFixture fixture, ITestOutputHelper output)
    : SemiSyncAckTests(fixture.Server, output), IClassFixture<MariaDbFixture>;

public sealed class MySqlSemiSyncAckTests(MySqlFixture fixture, ITestOutputHelper output)
    : SemiSyncAckTests(fixture.Server, output), IClassFixture<MySqlFixture>;

using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Replication.Tests.Faults;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;
using static ReplicaKeeper.Replication.Tests.Streaming.ReplicationTestKit;

namespace ReplicaKeeper.Replication.Tests.Streaming;

/// <summary>Link failures during streaming: cuts at random byte offsets, a dead link, a server restart, rotation.</summary>
public abstract class FaultToleranceTests<TFixture>(TFixture fixture, ITestOutputHelper output) where TFixture : TestServerFixture
{
    protected TestServer Server => fixture.Server;

    private async Task<string> CreateTableAsync()
    {
        var table = $"rk_test.faults_{Guid.NewGuid():N}"[..30];
        await Server.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS rk_test; CREATE TABLE {table} (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(300), n INT)");
        return table;
    }

    /// <summary>True when the stream has completed every transaction up to the server's state <paramref name="target"/>.</summary>
    private static bool Reached(ReplicationStream stream, ReplicationCheckpoint? target) => target switch
    {
        null => false,
        { Mode: ReplicationMode.MySqlGtid } t => t.GtidSet!.IsSubsetOf(stream.Completed.GtidSet ?? GtidSet.Empty),
        { Mode: ReplicationMode.MariaDbGtid } t => t.MariaDbGtids!.Gtids.All(g => stream.Completed.MariaDbGtids?.Covers(g) == true),
        _ => false,
    };

    /// <summary>Checks the delivered transactions against what the server executed since <paramref name="start"/>.</summary>
    private void AssertDeliveredExactly(ReplicationCheckpoint start, ReplicationCheckpoint end, List<string> completed)
    {
        if (start.Mode == ReplicationMode.MySqlGtid)
        {
            var delivered = completed.Select(Gtid.Parse).Aggregate(GtidSet.Empty, (s, g) => s.Add(g));
            Assert.Equal(end.GtidSet!.Except(start.GtidSet!), delivered);
            Assert.Equal((ulong)completed.Count, delivered.Count);
        }
        else
        {
            var first = start.MariaDbGtids!.TryGet(0, out var s) ? s.Sequence : 0;
            Assert.True(end.MariaDbGtids!.TryGet(0, out var e));
            var sequences = completed.Select(g => MariaDbGtid.Parse(g).Sequence).ToList();
            var expected = Enumerable.Range(1, (int)(e.Sequence - first)).Select(i => first + (ulong)i).ToList();
            Assert.Equal(expected, sequences);
        }
    }

    [Fact]
    public async Task Resumes_after_connection_cuts_at_random_offsets_without_duplicating_or_losing_transactions()
    {
        var table = await CreateTableAsync();
        await using var proxy = FaultProxy.Start(Server.Host, Server.Port);
        var start = await NowAsync(Server);
        var stream = Client(Server, proxy).OpenStream(start);
        const int cuts = 30;
        var random = new Random(20261125);
        var cutsDone = 0;
        ReplicationCheckpoint? target = null;

        var workload = Task.Run(async () =>
        {
            await using var connection = await Server.OpenAdminConnectionAsync();
            for (var i = 0; Volatile.Read(ref cutsDone) < cuts || i < 100; i++)
            {
                var rows = 1 + (i % 4);
                var sql = "BEGIN; " + string.Concat(Enumerable.Range(0, rows).Select(r =>
                    $"INSERT INTO {table} (v, n) VALUES ('{new string((char)('a' + (r % 26)), 50 + (i * 37 % 200))}', {i}); ")) +
                    $"UPDATE {table} SET n = n + 1 WHERE n = {i}; COMMIT";
                await using var command = new MySqlConnector.MySqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                await Task.Delay(5);
                if (i > 5000)
                {
                    throw new TimeoutException($"only {cutsDone} cuts fired");
                }
            }

            target = await NowAsync(Server);
        });

        var cutter = Task.Run(async () =>
        {
            for (var c = 0; c < cuts; c++)
            {
                // arm only once the new session streams (so the cut lands in the binlog stream, not in the login)
                var seen = stream.EventsReceived;
                while (stream.EventsReceived < seen + 4)
                {
                    await Task.Delay(2);
                }

                // offsets inside packet headers, event headers and the transactions that follow; some far ahead
                var at = random.Next(5) == 0 ? random.Next(1, 20000) : random.Next(0, 1500);
                proxy.CutAfterServerBytes(at);
                while (proxy.CutPending)
                {
                    await Task.Delay(2);
                }

                Interlocked.Increment(ref cutsDone);
                await Task.Delay(random.Next(20, 120));
            }
        });

        var events = await CollectAsync(stream, (_, _) => workload.IsCompleted && Reached(stream, Volatile.Read(ref target)), TimeSpan.FromMinutes(3));
        await workload;
        await cutter;
        output.WriteLine(
            $"{events.Count} events, {stream.Reconnects} reconnects, {proxy.ConnectionsAccepted} connections, {cutsDone} cuts, " +
            $"{stream.ResentEventsSkipped} re-sent events skipped");
        Assert.True(proxy.ConnectionsAccepted > cuts, $"only {proxy.ConnectionsAccepted} connections for {cuts} cuts");
        Assert.True(stream.ResentEventsSkipped > 0, "no cut fell inside a transaction");
        var completed = AssertExactlyOnce(events);
        AssertDeliveredExactly(start, target!, completed);
    }

    [Fact]
    public async Task Detects_a_blackholed_link_by_missing_heartbeats_and_resumes()
    {
        var table = await CreateTableAsync();
        await using var proxy = FaultProxy.Start(Server.Host, Server.Port);
        var start = await NowAsync(Server);
        var stream = Client(Server, proxy).OpenStream(start);
        var phase = 0;
        var blackholedAt = DateTime.MinValue;
        var detectedAfter = TimeSpan.Zero;
        await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('before')");
        var events = await CollectAsync(stream, (e, all) =>
        {
            switch (phase)
            {
                case 0 when e.CompletesTransaction:
                    phase = 1; // saw 'before'; wait for a heartbeat
                    return false;
                case 1 when e.Kind == ReplicationEventKind.Heartbeat:
                    phase = 2;
                    proxy.BlackholeAll();
                    blackholedAt = DateTime.UtcNow;
                    Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('after')").GetAwaiter().GetResult();
                    return false;
                case 2 when e.CompletesTransaction:
                    detectedAfter = DateTime.UtcNow - blackholedAt;
                    return true;
                default:
                    return false;
            }
        });
        output.WriteLine($"resumed after {detectedAfter}, reconnects {stream.Reconnects}, heartbeats {stream.HeartbeatsReceived}");
        Assert.Equal(1, stream.Reconnects);
        Assert.True(stream.HeartbeatsReceived >= 1);
        Assert.True(detectedAfter >= TimeSpan.FromSeconds(1), $"resumed after {detectedAfter}: too early for a 1.5 s dead-link timeout");
        Assert.Equal(2, AssertExactlyOnce(events).Count);
    }

    [Fact]
    public async Task Survives_a_server_restart_and_binlog_rotation_during_streaming()
    {
        var table = await CreateTableAsync();
        var start = await NowAsync(Server);
        var stream = Client(Server).OpenStream(start);
        ReplicationCheckpoint? target = null;
        var steps = Task.Run(async () =>
        {
            await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('1')");
            await Server.ExecuteAsync("FLUSH BINARY LOGS");
            await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('2')");
            await Task.Delay(300);
            await Server.KillAsync();
            await Task.Delay(500);
            await Server.StartAgainAsync();
            await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('3')");
            await Server.ExecuteAsync("FLUSH BINARY LOGS");
            await Server.ExecuteAsync($"BEGIN; INSERT INTO {table} (v) VALUES ('4'); INSERT INTO {table} (v) VALUES ('5'); COMMIT");
            target = await NowAsync(Server);
        });
        var events = await CollectAsync(stream, (_, _) => steps.IsCompleted && Reached(stream, Volatile.Read(ref target)), TimeSpan.FromMinutes(2));
        await steps;
        output.WriteLine($"{events.Count} events, reconnects {stream.Reconnects}");
        Assert.True(stream.Reconnects >= 1);
        var completed = AssertExactlyOnce(events);
        AssertDeliveredExactly(start, target!, completed);
        Assert.True(events.Count(e => e.Event is Binlog.Events.RotateEvent { IsFake: false }) >= 2, "real rotations were streamed");
    }
}

public sealed class MariaDbFaultToleranceTests(MariaDbFixture fixture, ITestOutputHelper output)
    : FaultToleranceTests<MariaDbFixture>(fixture, output), IClassFixture<MariaDbFixture>;

public sealed class MySqlFaultToleranceTests(MySqlFixture fixture, ITestOutputHelper output)
    : FaultToleranceTests<MySqlFixture>(fixture, output), IClassFixture<MySqlFixture>;

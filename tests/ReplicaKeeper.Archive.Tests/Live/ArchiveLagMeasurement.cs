using System.Diagnostics;
using System.Globalization;
using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Archive.Tests.Live;

/// <summary>
/// Scripted measurement (runs when RK_ARCHIVE_LAG=1): time from commit on a MySQL source (the GTID
/// event's immediate_commit_timestamp, same machine clock) to the fsync that makes the transaction
/// durable in the archive, under many small concurrent transactions. Prints p50/p99/max and the rate.
/// </summary>
public sealed class ArchiveLagMeasurement(MySqlFixture fixture, ITestOutputHelper output) : IClassFixture<MySqlFixture>
{
    [Fact]
    public async Task Commit_to_fsync_lag_under_small_transactions()
    {
        if (Environment.GetEnvironmentVariable("RK_ARCHIVE_LAG") != "1")
        {
            output.WriteLine("set RK_ARCHIVE_LAG=1 to run this measurement");
            return;
        }

        var server = fixture.Server;
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS archlag; CREATE TABLE IF NOT EXISTS archlag.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT)", cts.Token);
        await server.ExecuteAsync("SET GLOBAL sync_binlog = 0; SET GLOBAL innodb_flush_log_at_trx_commit = 2", cts.Token);
        await server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var file = (await server.BinlogFilesAsync(cts.Token))[^1];

        var pending = new Queue<(string File, ulong End, ulong CommitMicros)>();
        var lags = new List<double>();
        var received = new List<double>();
        var gate = new Lock();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions
        {
            DurableAdvanced = durable =>
            {
                lock (gate)
                {
                    while (pending.TryPeek(out var p) && p.File == durable.File && (long)p.End <= durable.Offset)
                    {
                        pending.Dequeue();
                        lags.Add((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMicroseconds - p.CommitMicros);
                    }
                }
            },
        }, cts.Token);

        var client = new ReplicaClient(new ReplicationOptions { Connection = ConnectionOptions.Parse(server.ReplicationConnectionString), HeartbeatInterval = TimeSpan.FromSeconds(1) });
        var stream = client.OpenStream(ReplicationCheckpoint.FromPosition(new BinlogPosition(file, 4)));
        var load = Task.Run(() => LoadAsync(server, TimeSpan.FromSeconds(15), cts.Token));
        ulong commitMicros = 0;
        var transactions = 0;
        await foreach (var item in stream.WithCancellation(cts.Token))
        {
            if (item.Kind != ReplicationEventKind.Event)
            {
                if (load.IsCompleted && item.Kind == ReplicationEventKind.Heartbeat)
                {
                    break;
                }

                continue;
            }

            if (item.Event is GtidEvent gtid)
            {
                commitMicros = gtid.ImmediateCommitTimestamp;
            }

            if (item.CompletesTransaction && item.NextOffset is { } end && !item.IsArtificial)
            {
                lock (gate)
                {
                    pending.Enqueue((item.File, end, commitMicros));
                }

                received.Add((DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMicroseconds - commitMicros);

                transactions++;
            }

            await writer.AppendAsync(item.RawBytes, cts.Token);
        }

        await writer.FlushAsync(cts.Token);
        var committed = await load;
        lags.Sort();
        received.Sort();
        string Ms(double q) => (lags[(int)Math.Min(lags.Count - 1, q * lags.Count)] / 1000).ToString("0.0", CultureInfo.InvariantCulture);
        string Rx(double q) => (received[(int)Math.Min(received.Count - 1, q * received.Count)] / 1000).ToString("0.0", CultureInfo.InvariantCulture);
        output.WriteLine($"{committed.Count} transactions in {committed.Seconds:0.0} s = {committed.Count / committed.Seconds:0} tx/s; archived {transactions}; measured {lags.Count}");
        output.WriteLine($"commit -> fsync lag: p50 {Ms(0.50)} ms, p90 {Ms(0.90)} ms, p99 {Ms(0.99)} ms, max {Ms(1.0)} ms");
        output.WriteLine($"commit -> event received by the archiver: p50 {Rx(0.50)} ms, p90 {Rx(0.90)} ms, p99 {Rx(0.99)} ms, max {Rx(1.0)} ms");
        Assert.Equal(transactions, lags.Count);
    }

    private static async Task<(int Count, double Seconds)> LoadAsync(TestServer server, TimeSpan duration, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async w =>
        {
            await using var connection = await server.OpenAdminConnectionAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO archlag.t (v) VALUES ({w})";
            while (clock.Elapsed < duration)
            {
                await command.ExecuteNonQueryAsync(ct);
                Interlocked.Increment(ref count);
            }
        }));
        return (count, clock.Elapsed.TotalSeconds);
    }
}

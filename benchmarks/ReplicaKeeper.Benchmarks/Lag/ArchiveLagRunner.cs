using System.Collections.Concurrent;
using System.Diagnostics;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Benchmarks.Lag;

/// <summary>
/// Scripted measurement of archive lag (issue 6): time from a commit returning to the client on the
/// master to the fsync that makes that transaction durable in the archive. Starts a real server on
/// loopback, runs the <see cref="LiveArchiver"/> in this process with an observer on its durable
/// advances, drives small transactions from several connections, and matches both sides by GTID
/// (one Stopwatch clock, so no clock skew). Run through benchmarks/archive-lag.sh.
/// </summary>
public static class ArchiveLagRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        LagOptions options;
        try
        {
            options = LagOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var reports = new List<LagReport>();
        foreach (var flavor in options.Flavors)
        {
            var report = await MeasureAsync(flavor, options, cts.Token);
            Console.WriteLine(report);
            reports.Add(report);
        }

        return reports.All(r => r.Missing == 0) ? 0 : 1;
    }

    private static async Task<LagReport> MeasureAsync(ServerFlavor flavor, LagOptions options, CancellationToken ct)
    {
        Console.WriteLine($"{flavor}: starting a server on loopback...");
        await using var server = await TestServer.StartAsync(flavor == ServerFlavor.MariaDb ? TestServerOptions.MariaDb : TestServerOptions.MySql, ct);
        await CommitLoad.PrepareAsync(server, options, ct);
        await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
        var startFile = (await server.BinlogFilesAsync(ct))[^1];

        var archiveDirectory = Path.Combine(Path.GetTempPath(), "rk-lag-" + Guid.NewGuid().ToString("N")[..8]);
        var durable = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var stopArchiver = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var archiver = Task.Run(() => LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = new ArchiveLayout(archiveDirectory),
            StartFile = startFile,
            Replication = new ReplicationOptions
            {
                Connection = ConnectionOptions.Parse(server.ReplicationConnectionString),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
            },
            TransactionsDurable = batch =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var transaction in batch.Transactions)
                {
                    if (transaction.Id is { } id)
                    {
                        durable.TryAdd(id.ToString(), now);
                    }
                }
            },
        }, stopArchiver.Token), CancellationToken.None);

        try
        {
            // warm-up: the archiver connects, registers and starts its dump before the measured load begins, so the
            // first commits do not measure the archiver's start-up (that stall made up the slow 1-2 % of MariaDB runs)
            await server.ExecuteAsync("INSERT INTO archlag.t (w, n, note) VALUES (-1, 0, 'warm-up')", ct);
            var warmUp = Stopwatch.StartNew();
            while (durable.IsEmpty && !archiver.IsCompleted && warmUp.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10, ct);
            }

            if (archiver.IsFaulted)
            {
                await archiver;
            }

            var load = new CommitLoad(server, options);
            Console.WriteLine($"{flavor}: {options.Connections} connections, target {(options.Rate == 0 ? "max" : options.Rate)} tx/s for {options.Duration.TotalSeconds:0} s");
            var (count, elapsed) = await load.RunAsync(ct);

            // let the archive catch up with the last commits (bounded: a missing one is reported, not waited for forever)
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !archiver.IsCompleted && load.Commits.Keys.Any(k => !durable.ContainsKey(k)))
            {
                await Task.Delay(100, ct);
            }

            if (archiver.IsFaulted)
            {
                await archiver;
            }

            return LagReport.Build(flavor.ToString(), count, elapsed, options.Rate, load.Commits, durable);
        }
        finally
        {
            await stopArchiver.CancelAsync();
            try
            {
                await archiver;
            }
            catch (OperationCanceledException)
            {
            }

            Directory.Delete(archiveDirectory, recursive: true);
        }
    }
}

using System.Globalization;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;
using StandbyFlavor = ReplicaKeeper.Standby.Sql.ServerFlavor;

namespace ReplicaKeeper.Restore.Tests.Drill;

/// <summary>
/// A master, its ReplicaKeeper standby and an empty scratch instance, played once per test class: the live archiver
/// and the standby applier both start at the same fresh binlog file; a workload over two schemas and three binlog
/// rotations (inserts, updates, deletes, DDL) runs; then the archiver (sealing every closed segment) and the applier
/// run to the end of the master's binlog. A snapshot of the standby is taken into the archive after the first two
/// batches. The archive (snapshot + segments) and the standby then hold exactly the same history.
/// </summary>
public abstract class DrillStory(TestServerOptions options) : IAsyncLifetime
{
    public TestServer Master { get; private set; } = null!;

    public TestServer Standby { get; private set; } = null!;

    public TestServer Scratch { get; private set; } = null!;

    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), "rk-drill-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        var starts = new[]
        {
            TestServer.StartAsync(options),
            TestServer.StartAsync(options with { Standby = true }),
            TestServer.StartAsync(options with { Standby = true }),
        };
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var started in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }

        (Master, Standby, Scratch) = (await starts[0], await starts[1], await starts[2]);
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        var startFile = (await Master.BinlogFilesAsync())[^1];
        StandbyPosition start;
        await using (var master = await Master.OpenAdminConnectionAsync())
        {
            var flavor = Master.Flavor == ServerFlavor.MySql ? StandbyFlavor.MySql : StandbyFlavor.MariaDb;
            start = await SourcePositionReader.ReadCurrentAsync(master, flavor, CancellationToken.None);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        WorkloadStartedAt = DateTimeOffset.UtcNow;
        await CreateSchemaAsync();
        await RunBatchesAsync(0, 2);
        await CatchUpAsync(startFile, start, timeout.Token);
        Snapshot = await new SnapshotTaker(new ArchiveLayout(ArchiveDirectory), null)
            .TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString }, null, timeout.Token);
        await RunBatchesAsync(2, 3);
        await FinishAsync();
        await CatchUpAsync(startFile, start, timeout.Token);
    }

    /// <summary>When the workload started (before the first transaction on the master).</summary>
    public DateTimeOffset WorkloadStartedAt { get; private set; }

    /// <summary>What the last standby applier run reported as the source commit time of its last committed transaction.</summary>
    public DateTimeOffset? AppliedSourceTime { get; private set; }

    /// <summary>When the last catch-up ended.</summary>
    public DateTimeOffset CaughtUpAt { get; private set; }

    /// <summary>The snapshot taken from the standby after the first two batches.</summary>
    public SnapshotInfo Snapshot { get; private set; } = null!;

    /// <summary>Archiver and standby applier to the master's current end (each resumes where it stopped).</summary>
    private async Task CatchUpAsync(string startFile, StandbyPosition start, CancellationToken ct)
    {
        var archiving = LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = new ArchiveLayout(ArchiveDirectory),
            StartFile = startFile,
            Replication = new ReplicationOptions
            {
                Connection = ConnectionOptions.Parse(Master.ReplicationConnectionString),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
                StopAtEnd = true,
            },
        }, ct);
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = Master.AdminConnectionString,
            TargetConnectionString = Standby.AdminConnectionString,
            StartPosition = start,
            StopAtEnd = true,
        });
        await Task.WhenAll(archiving, applier.RunAsync(ct));
        AppliedSourceTime = applier.LastCommittedSourceTime;
        CaughtUpAt = DateTimeOffset.UtcNow;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { Master, Standby, Scratch })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(ArchiveDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task CreateSchemaAsync()
    {
        await Master.ExecuteAsync("""
            CREATE DATABASE shop;
            CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(60) CHARACTER SET utf8mb4 NOT NULL, price DECIMAL(10,2), added DATETIME(6), picture BLOB);
            CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, item_id INT NOT NULL, qty INT NOT NULL, note TEXT);
            CREATE DATABASE audit;
            CREATE TABLE audit.log (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100) NOT NULL);
            CREATE EVENT shop.nightly_cleanup ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM shop.orders WHERE qty < 0;
            """);
    }

    private async Task RunBatchesAsync(int from, int to)
    {
        for (var batch = from; batch < to; batch++)
        {
            for (var t = 0; t < 4; t++)
            {
                var values = Enumerable.Range(0, 10).Select(r =>
                {
                    var id = (batch * 100) + (t * 10) + r;
                    return string.Create(CultureInfo.InvariantCulture,
                        $"({id}, 'Item {id} größe', {id}.{id % 100:D2}, '2026-11-25 10:{id % 60:D2}:00.{id:D6}', X'{id:X6}FF')");
                });
                await Master.ExecuteAsync("INSERT INTO shop.items VALUES " + string.Join(", ", values));
                await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"INSERT INTO shop.orders (item_id, qty, note) VALUES ({batch * 100}, {t + 1}, 'batch {batch}'), ({(batch * 100) + 1}, 2, NULL)"));
                await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"INSERT INTO audit.log (msg) VALUES ('batch {batch} step {t}')"));
            }

            await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"UPDATE shop.items SET price = price * 2 WHERE id % 7 = {batch}"));
            await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"DELETE FROM shop.orders WHERE qty = {batch + 1}"));
            await Master.ExecuteAsync("FLUSH BINARY LOGS");
        }
    }

    private async Task FinishAsync()
    {
        // after the snapshot: only the replay creates this one
        await Master.ExecuteAsync("CREATE EVENT audit.rotate ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM audit.log WHERE id < 0");
        await Master.ExecuteAsync("ALTER TABLE shop.orders ADD COLUMN shipped TINYINT NOT NULL DEFAULT 0");
        await Master.ExecuteAsync("UPDATE shop.orders SET shipped = 1 WHERE id % 2 = 0");
        await Master.ExecuteAsync("DELETE FROM shop.items WHERE id BETWEEN 105 AND 109");
    }
}

public sealed class MariaDbDrillStory() : DrillStory(TestServerOptions.MariaDb);

public sealed class MySqlDrillStory() : DrillStory(TestServerOptions.MySql);

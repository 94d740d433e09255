using System.Diagnostics;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>
/// Snapshot take and load rates on MariaDB (rows/s, MiB/s). A measurement, not a CI test: runs only with
/// RK_SNAPSHOT_BENCH=1 (rows: RK_SNAPSHOT_BENCH_ROWS, default 500000):
/// <c>RK_SNAPSHOT_BENCH=1 dotnet test tests/ReplicaKeeper.Restore.Tests --filter FullyQualifiedName~SnapshotThroughput --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class SnapshotThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Measures_snapshot_take_and_load_rates()
    {
        if (Environment.GetEnvironmentVariable("RK_SNAPSHOT_BENCH") != "1")
        {
            return; // a measurement: see the class comment
        }

        var rows = int.TryParse(Environment.GetEnvironmentVariable("RK_SNAPSHOT_BENCH_ROWS"), out var n) ? n : 500_000;
        await using var standby = await TestServer.StartAsync(TestServerOptions.MariaDb with { ExtraArguments = ["--innodb-buffer-pool-size=512M"] });
        await using var target = await TestServer.StartAsync(TestServerOptions.MariaDb with { Standby = true, ExtraArguments = ["--innodb-buffer-pool-size=512M"] });
        await standby.ExecuteAsync($"""
            CREATE DATABASE bench;
            CREATE TABLE bench.t (id INT PRIMARY KEY, name VARCHAR(100), amount DECIMAL(12,2), at DATETIME(6), score DOUBLE, payload VARBINARY(200));
            INSERT INTO bench.t SELECT seq, CONCAT('name ', seq), seq / 100, '2026-01-01' + INTERVAL seq SECOND, seq / 7, UNHEX(SHA2(seq, 256)) FROM bench.seq_1_to_{rows};
            """);
        await using (var connection = await standby.OpenAdminConnectionAsync())
        {
            await PositionStore.EnsureSchemaAsync(connection, default);
            await PositionStore.WriteAsync(connection, null, new AppliedPosition("default", new StandbyPosition(null, MariaDbGtidList.Parse("0-1-1"), new BinlogPosition("bin.000001", 4)), "0-1-1", null, null, null, DateTime.UtcNow), default);
        }

        using var archive = new TempDirectory();
        var clock = Stopwatch.StartNew();
        var snapshot = await new SnapshotTaker(new ArchiveLayout(archive.Path), null).TakeAsync(new SnapshotOptions { StandbyConnectionString = standby.AdminConnectionString }, null, default);
        var take = clock.Elapsed;
        clock.Restart();
        await SnapshotLoader.LoadAsync(snapshot, null, target.AdminConnectionString, "default", null, default);
        var load = clock.Elapsed;

        Assert.Equal(rows, snapshot.Rows);
        Assert.Equal(await SnapshotStory.ChecksumsAsync(standby, ["bench.t"]), await SnapshotStory.ChecksumsAsync(target, ["bench.t"]));
        output.WriteLine($"{rows} rows, {snapshot.OriginalSize / 1048576.0:F1} MiB raw, {snapshot.StoredSize / 1048576.0:F1} MiB stored");
        output.WriteLine($"take: {take.TotalSeconds:F1} s = {rows / take.TotalSeconds:F0} rows/s; load: {load.TotalSeconds:F1} s = {rows / load.TotalSeconds:F0} rows/s");
    }
}

using System.Globalization;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Tests.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Replay;

/// <summary>A master that compresses its binlog (MySQL TRANSACTION_PAYLOAD, MariaDB compressed events) and an empty target.</summary>
public abstract class CompressedMaster(TestServerOptions options) : IAsyncLifetime
{
    public TestServer Master { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var master = TestServer.StartAsync(options);
        var target = TestServer.StartAsync(options with { Standby = true, TransactionCompression = false, LogBinCompress = false });
        Master = await master;
        Target = await target;
    }

    public async Task DisposeAsync()
    {
        await Master.DisposeAsync();
        await Target.DisposeAsync();
    }
}

public sealed class MySqlCompressedMaster() : CompressedMaster(TestServerOptions.MySql with { TransactionCompression = true });

public sealed class MariaDbCompressedMaster() : CompressedMaster(TestServerOptions.MariaDb with { LogBinCompress = true });

/// <summary>Replay of compressed transactions/events through the standby applier equals the master.</summary>
public abstract class CompressedReplayTests<TMaster>(TMaster servers) where TMaster : CompressedMaster
{
    [Fact]
    public async Task Replays_compressed_transactions_into_a_target_equal_to_the_master()
    {
        var master = servers.Master;
        await master.ExecuteAsync("""
            CREATE DATABASE comp;
            CREATE TABLE comp.t (id INT PRIMARY KEY, payload TEXT, amount DECIMAL(10,2), at DATETIME(6));
            CREATE EVENT comp.purge ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM comp.t WHERE id < 0;
            """);
        for (var batch = 0; batch < 10; batch++)
        {
            var values = Enumerable.Range(batch * 50, 50).Select(i => string.Create(CultureInfo.InvariantCulture,
                $"({i}, REPEAT('compress me {i} ', 40), {i}.25, '2026-11-25 10:00:00.{i:D6}')"));
            await master.ExecuteAsync("INSERT INTO comp.t VALUES " + string.Join(", ", values));
        }

        await master.ExecuteAsync("UPDATE comp.t SET amount = amount * 2 WHERE id % 3 = 0");
        await master.ExecuteAsync("DELETE FROM comp.t WHERE id % 10 = 1");
        await master.ExecuteAsync("FLUSH BINARY LOGS");
        using var archive = new TempDirectory();
        foreach (var file in await master.BinlogFilesAsync())
        {
            File.Copy(master.BinlogPath(file), Path.Combine(archive.Path, file));
        }

        var source = await ArchiveSource.OpenAsync(archive.Path, null, default);
        var compressed = 0;
        await foreach (var t in new TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, default))
        {
            compressed += t.Events.Count(e => e.Event is TransactionPayloadEvent || e.Event is RowsEvent { IsCompressed: true });
        }

        Assert.True(compressed >= 10, $"the master wrote {compressed} compressed transactions/events");
        await TargetInstance.ResetAsync(servers.Target.AdminConnectionString, default);
        var restore = new PointInTimeRestore(source);
        var plan = await restore.PlanAsync(RestoreTarget.Latest, [], default);
        var result = await restore.ReplayAsync(plan, servers.Target.AdminConnectionString, null, default);

        Assert.Null(result.Snapshot);
        Assert.Equal(
            await SnapshotStory.ChecksumsAsync(master, ["comp.t"]),
            await SnapshotStory.ChecksumsAsync(servers.Target, ["comp.t"]));
        Assert.Equal(450L, await servers.Target.ScalarAsync<long>("SELECT COUNT(*) FROM comp.t"));

        // the replayed CREATE EVENT stays disabled on the target (as on a replica) and the result names it with its ENABLE statement
        var disabled = Assert.Single(result.DisabledEvents);
        Assert.Equal(("comp", "purge"), (disabled.Schema, disabled.Name));
        Assert.Equal(await servers.Target.ScalarAsync<string>("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'comp' AND EVENT_NAME = 'purge'"), disabled.Status);
        Assert.NotEqual("ENABLED", disabled.Status);
        Assert.Equal("ALTER EVENT `comp`.`purge` ENABLE", disabled.EnableStatement);
    }
}

public sealed class MySqlCompressedReplayTests(MySqlCompressedMaster servers) : CompressedReplayTests<MySqlCompressedMaster>(servers), IClassFixture<MySqlCompressedMaster>;

public sealed class MariaDbCompressedReplayTests(MariaDbCompressedMaster servers) : CompressedReplayTests<MariaDbCompressedMaster>(servers), IClassFixture<MariaDbCompressedMaster>;

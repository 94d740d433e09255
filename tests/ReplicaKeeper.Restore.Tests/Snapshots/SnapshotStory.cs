using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>
/// A master archived live (LiveArchiver from its first binlog) and followed by a standby (StandbyApplier), played
/// once per test class:
/// phase 1 — schema (every column type in <c>shop.types</c>, a generated column, a view) and orders, standby caught up;
/// phase 2 — a concurrent order workload while snapshot A is taken from the standby; quiet point 2 (checksums, last GTID);
/// phase 3 — one marker transaction the standby must apply, the workload again while snapshot B is taken; quiet point 3;
/// phase 4 — more work and an ALTER TABLE; the end (checksums). Binary logs are flushed between phases so the archive has
/// several sealed segments. A third, empty instance is the restore target.
/// </summary>
public abstract class SnapshotStory(TestServerOptions options) : IAsyncLifetime
{
    public static readonly string[] Tables = ["shop.types", "shop.orders"];
    private readonly CancellationTokenSource _stop = new();
    private Task? _archiver;
    private Task? _applier;

    public TestServer Master { get; private set; } = null!;

    public TestServer Standby { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), "rk-snap-" + Guid.NewGuid().ToString("N")[..8]);

    public ArchiveLayout Layout => new(ArchiveDirectory);

    public SnapshotInfo SnapshotA { get; private set; } = null!;

    public SnapshotInfo SnapshotB { get; private set; } = null!;

    public IReadOnlyDictionary<string, long?> AtPoint2 { get; private set; } = null!;

    public string GtidAtPoint2 { get; private set; } = null!;

    /// <summary>The order the last transaction of phase 2 (<see cref="GtidAtPoint2"/>) inserted.</summary>
    public int LastOrderAtPoint2 { get; private set; }

    /// <summary>The one transaction between phase 2 and phase 3's workload (order 900000).</summary>
    public string MarkerGtid { get; private set; } = null!;

    public IReadOnlyDictionary<string, long?> AtPoint3 { get; private set; } = null!;

    public string GtidAtPoint3 { get; private set; } = null!;

    public IReadOnlyDictionary<string, long?> AtEnd { get; private set; } = null!;

    public IReadOnlyDictionary<string, long?> Types { get; private set; } = null!;

    public bool IsMariaDb => Master.Flavor == ServerFlavor.MariaDb;

    public async Task InitializeAsync()
    {
        var starts = new[] { TestServer.StartAsync(options), TestServer.StartAsync(options with { Standby = true }), TestServer.StartAsync(options with { Standby = true }) };
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            throw;
        }

        (Master, Standby, Target) = (await starts[0], await starts[1], await starts[2]);
        var first = (await Master.BinlogFilesAsync())[0];
        _archiver = Task.Run(() => LiveArchiver.RunAsync(
            new LiveArchiverOptions
            {
                Layout = Layout,
                StartFile = first,
                Replication = new ReplicationOptions { Connection = ConnectionOptions.Parse(Master.ReplicationConnectionString), HeartbeatInterval = TimeSpan.FromSeconds(1) },
            },
            _stop.Token));
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = Master.ReplicationConnectionString,
            TargetConnectionString = Standby.AdminConnectionString,
            StartPosition = IsMariaDb ? new StandbyPosition(null, MariaDbGtidList.Empty, null) : new StandbyPosition(GtidSet.Empty, null, null),
        });
        _applier = Task.Run(() => applier.RunAsync(_stop.Token));

        await Master.ExecuteAsync(SnapshotSchema.Create(IsMariaDb));
        await Master.ExecuteAsync(SnapshotSchema.TypesRows());
        Types = await ChecksumsAsync(Master, ["shop.types"]);
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        await OrdersAsync(0, 100);
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        await WaitForStandbyAsync(await LastGtidAsync());

        SnapshotA = await WhileWorkloadRunsAsync(1000, () => TakeAsync(Layout, null));
        AtPoint2 = await ChecksumsAsync(Master, Tables);
        GtidAtPoint2 = await LastGtidAsync();
        LastOrderAtPoint2 = await Master.ScalarAsync<int>("SELECT MAX(id) FROM shop.orders WHERE id < 900000");
        await Master.ExecuteAsync("FLUSH BINARY LOGS");

        await Master.ExecuteAsync("INSERT INTO shop.orders (id, customer, amount, note) VALUES (900000, 'marker', 1.00, 'phase 3 starts')");
        MarkerGtid = await LastGtidAsync();
        await WaitForStandbyAsync(MarkerGtid);
        SnapshotB = await WhileWorkloadRunsAsync(2000, () => TakeAsync(Layout, null));
        AtPoint3 = await ChecksumsAsync(Master, Tables);
        GtidAtPoint3 = await LastGtidAsync();
        await Master.ExecuteAsync("FLUSH BINARY LOGS");

        await OrdersAsync(3000, 50);
        await Master.ExecuteAsync("ALTER TABLE shop.orders ADD COLUMN flagged TINYINT NOT NULL DEFAULT 1");
        await Master.ExecuteAsync("UPDATE shop.orders SET flagged = 0 WHERE id % 3 = 0");
        AtEnd = await ChecksumsAsync(Master, Tables);
        await WaitForArchiveAsync(await LastGtidAsync());
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _archiver, _applier }.OfType<Task>())
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
                // cancelled, or failed: the tests that needed it have reported
            }
        }

        foreach (var server in new[] { Master, Standby, Target }.Where(s => s is not null))
        {
            await server.DisposeAsync();
        }

        _stop.Dispose();
        try
        {
            Directory.Delete(ArchiveDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public Task<SnapshotInfo> TakeAsync(ArchiveLayout layout, ReplicaKeeper.Archive.Storage.ArchiveKey? key) =>
        new SnapshotTaker(layout, key).TakeAsync(new SnapshotOptions { StandbyConnectionString = Standby.AdminConnectionString, BatchRows = 64 }, null, default);

    public static async Task<IReadOnlyDictionary<string, long?>> ChecksumsAsync(TestServer server, IEnumerable<string> tables)
    {
        var result = new Dictionary<string, long?>();
        await using var connection = await server.OpenAdminConnectionAsync();
        foreach (var table in tables)
        {
            await using var command = new MySqlCommand($"CHECKSUM TABLE {table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>The GTID of the master's last transaction ("0-1-57" or "uuid:57").</summary>
    public async Task<string> LastGtidAsync()
    {
        if (IsMariaDb)
        {
            return (await Master.ScalarAsync<string>("SELECT @@GLOBAL.gtid_binlog_pos"))!;
        }

        var uuid = (await Master.ScalarAsync<string>("SELECT @@server_uuid"))!;
        var executed = GtidSet.Parse((await Master.ScalarAsync<string>("SELECT @@GLOBAL.gtid_executed"))!);
        return uuid + ":" + executed.IntervalsOf(Guid.Parse(uuid))[^1].Last.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<SnapshotInfo> WhileWorkloadRunsAsync(int firstId, Func<Task<SnapshotInfo>> take)
    {
        using var stop = new CancellationTokenSource();
        var workload = Task.Run(async () =>
        {
            var id = firstId;
            while (!stop.IsCancellationRequested)
            {
                await OrdersAsync(id, 5);
                id += 5;
            }
        });
        await Task.Delay(300);
        var snapshot = await take();
        await Task.Delay(300);
        await stop.CancelAsync();
        await workload;
        return snapshot;
    }

    private async Task OrdersAsync(int firstId, int count)
    {
        await using var connection = await Master.OpenAdminConnectionAsync();
        for (var id = firstId; id < firstId + count; id++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new MySqlCommand(string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO shop.orders (id, customer, amount, note) VALUES ({id}, 'customer {id % 17} ü', {id}.{id % 100:D2}, REPEAT('n', {id % 50}))"), connection, transaction))
            {
                await insert.ExecuteNonQueryAsync();
            }

            await using (var update = new MySqlCommand(string.Create(CultureInfo.InvariantCulture,
                $"UPDATE shop.orders SET amount = amount + 1, placed = placed + INTERVAL 1 SECOND WHERE id = {id / 2}"), connection, transaction))
            {
                await update.ExecuteNonQueryAsync();
            }

            if (id % 7 == 0)
            {
                await using var delete = new MySqlCommand(string.Create(CultureInfo.InvariantCulture, $"DELETE FROM shop.orders WHERE id = {id - 3}"), connection, transaction);
                await delete.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }
    }

    private async Task WaitForStandbyAsync(string gtid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            await using var connection = await Standby.OpenAdminConnectionAsync();
            var applied = await PositionStore.ReadAsync(connection, PositionStore.DefaultChannel, default);
            if (applied is not null && Covers(applied.Position.MySqlGtids?.ToString() ?? applied.Position.MariaDbGtids?.ToString(), gtid))
            {
                return;
            }

            ThrowIfStopped();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the standby did not apply {gtid} (it has {applied?.Position})");
            }

            await Task.Delay(100);
        }
    }

    private async Task WaitForArchiveAsync(string gtid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var status = await ArchiveStatus.ReadAsync(Layout, default);
            if (Covers(status.Durable?.Gtids, gtid))
            {
                return;
            }

            ThrowIfStopped();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the archive did not receive {gtid} (it has {status.Durable?.Gtids})");
            }

            await Task.Delay(100);
        }
    }

    private bool Covers(string? have, string gtid)
    {
        if (have is null)
        {
            return false;
        }

        return IsMariaDb
            ? MariaDbGtidList.Parse(have).Covers(MariaDbGtid.Parse(gtid))
            : GtidSet.Parse(have).Contains(Gtid.Parse(gtid));
    }

    private void ThrowIfStopped()
    {
        foreach (var (name, task) in new[] { ("archiver", _archiver), ("standby applier", _applier) })
        {
            if (task is { IsCompleted: true })
            {
                throw new InvalidOperationException($"the {name} stopped: {task.Exception?.GetBaseException().Message}", task.Exception?.GetBaseException());
            }
        }
    }
}

public sealed class MariaDbSnapshotStory() : SnapshotStory(TestServerOptions.MariaDb);

public sealed class MySqlSnapshotStory() : SnapshotStory(TestServerOptions.MySql);

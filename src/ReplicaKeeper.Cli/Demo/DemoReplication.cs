using System.Security.Cryptography;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// What the daemon runs, in-process: the live archiver (master → ARCHIVE, sealed segments compressed and encrypted
/// with a key made for this run) and the standby applier
/// (master → standby), both as background tasks until <see cref="DisposeAsync"/>. A task that fails early is
/// reported by <see cref="ThrowIfFailed"/>, so a wait never hides a crash.
/// </summary>
internal sealed class DemoReplication : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _archiver;
    private readonly Task _applier;

    private DemoReplication(ArchiveLayout layout, ArchiveKey key, StandbyApplier applier, CancellationTokenSource stop, Task archiver, Task applierTask)
    {
        Layout = layout;
        Key = key;
        Applier = applier;
        _stop = stop;
        _archiver = archiver;
        _applier = applierTask;
    }

    public ArchiveLayout Layout { get; }

    /// <summary>The archive key (AES-256-GCM) of this run; in production it comes from a key file or the environment.</summary>
    public ArchiveKey Key { get; }

    public StandbyApplier Applier { get; }

    public static DemoReplication Start(DemoServer master, DemoServer standby, string archiveDirectory, Serilog.ILogger log, CancellationToken ct)
    {
        var layout = new ArchiveLayout(archiveDirectory);
        var key = new ArchiveKey(RandomNumberGenerator.GetBytes(ArchiveKey.Size));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var replication = new ReplicationOptions
        {
            Connection = ConnectionOptions.Parse(master.ReplicationConnectionString),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            Logger = log.ForContext("Component", "archiver"),
        };
        var archiver = Task.Run(
            () => LiveArchiver.RunAsync(new LiveArchiverOptions { Layout = layout, Replication = replication, Key = key, Logger = replication.Logger }, stop.Token),
            CancellationToken.None);
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = master.ReplicationConnectionString,
            TargetConnectionString = standby.AdminConnectionString,
            StartPosition = new StandbyPosition(null, MariaDbGtidList.Empty, null), // the whole history: the master is new
            Logger = log.ForContext("Component", "standby"),
        });
        var applying = Task.Run(() => applier.RunAsync(stop.Token), CancellationToken.None);
        return new DemoReplication(layout, key, applier, stop, archiver, applying);
    }

    /// <summary>Throws when the archiver or the applier has stopped on its own.</summary>
    public void ThrowIfFailed()
    {
        foreach (var (name, task) in new[] { ("archiver", _archiver), ("standby applier", _applier) })
        {
            if (task.IsCompleted)
            {
                throw new InvalidOperationException(
                    $"the {name} stopped: {task.Exception?.GetBaseException().Message ?? "it ended without an error"}", task.Exception?.GetBaseException());
            }
        }
    }

    /// <summary>The archive's durable GTID list (rescanned from disk), or null while it has none.</summary>
    public async Task<MariaDbGtidList?> ArchivedGtidsAsync(CancellationToken ct)
    {
        if (!Directory.Exists(Layout.Root))
        {
            return null;
        }

        var status = await ArchiveStatus.ReadAsync(Layout, ct);
        return status.Durable?.Gtids is { } text && MariaDbGtidList.TryParse(text, out var list) ? list : null;
    }

    /// <summary>The GTID list the standby has applied (its replicakeeper.applied_position row), or null before the first.</summary>
    public static async Task<MariaDbGtidList?> AppliedGtidsAsync(DemoServer standby, CancellationToken ct)
    {
        try
        {
            await using var connection = await standby.OpenAsync(ct);
            var applied = await PositionStore.ReadAsync(connection, PositionStore.DefaultChannel, ct);
            return applied?.Position.MariaDbGtids;
        }
        catch (MySqlException e) when (e.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.UnknownDatabase)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _archiver, _applier })
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException or MySqlException or IOException or InvalidOperationException or ReplicationException or ArchiveStreamException)
            {
                // stopping: whatever the tasks were doing no longer matters
            }
        }

        _stop.Dispose();
        Key.Dispose();
    }
}

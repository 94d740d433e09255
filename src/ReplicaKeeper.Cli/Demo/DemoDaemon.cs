using System.Security.Cryptography;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Daemon;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Seeding;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// ReplicaKeeper as a clinic runs it: the standby seeded with <c>standby init</c>, then the daemon of
/// <c>replicakeeper run</c> (<see cref="DaemonHost"/>) in-process, with the configuration built in code: archiver
/// (master → archive, sealed segments compressed and encrypted with a key made for this run), standby applier,
/// verification, alerts and the status endpoint on a free loopback port.
/// </summary>
internal sealed class DemoDaemon : IAsyncDisposable
{
    private readonly DaemonHost _host;

    private DemoDaemon(DaemonHost host, ArchiveLayout layout, ArchiveKey key, SeedReport seed)
    {
        _host = host;
        Layout = layout;
        Key = key;
        Seed = seed;
    }

    public ArchiveLayout Layout { get; }

    /// <summary>The archive key (AES-256-GCM) of this run; in production it comes from a key file or the environment. The daemon owns it.</summary>
    public ArchiveKey Key { get; }

    public SeedReport Seed { get; }

    /// <summary>http://127.0.0.1:PORT/ of the daemon's status endpoint.</summary>
    public Uri? StatusBaseUri => _host.StatusBaseUri;

    /// <summary>Seeds the standby from the master, then starts the daemon.</summary>
    public static async Task<DemoDaemon> StartAsync(DemoServer master, DemoServer standby, string directory, Serilog.ILogger log, CancellationToken ct)
    {
        var seed = await new StandbySeeder(new StandbySeedOptions
        {
            SourceConnectionString = master.AdminConnectionString,
            TargetConnectionString = standby.AdminConnectionString,
            Logger = log.ForContext("Component", "standby-init"),
        }).RunAsync(ct);

        var layout = new ArchiveLayout(Path.Combine(directory, "archive"));
        var key = new ArchiveKey(RandomNumberGenerator.GetBytes(ArchiveKey.Size));
        var config = new DaemonConfig
        {
            Source = new SourceConfig
            {
                Connection = ConnectionOptions.Parse(master.ReplicationConnectionString),
                ConnectionStringWithSecret = master.ReplicationConnectionString,
            },
            Archive = new Configuration.ArchiveConfig { Directory = layout.Root, Key = key },
            Standby = new StandbyConfig { ConnectionStringWithSecret = standby.AdminConnectionString },
            Http = new HttpConfig { Port = 0 },
            Logging = new LoggingConfig { Console = false, Directory = null },
            StateDirectory = Path.Combine(directory, "daemon-state"),
        };
        DaemonHost? host = null;
        try
        {
            host = DaemonHost.Build(config, log.ForContext("Component", "daemon"));
            await host.StartAsync(ct);
            return new DemoDaemon(host, layout, key, seed);
        }
        catch
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
            else
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>Components the daemon reports down, with their last error ("archiver: ...").</summary>
    public IReadOnlyList<string> Problems() =>
        _host.Metrics.Components.Where(c => !c.Up && c.LastError is not null).Select(c => $"{c.Name}: {c.LastError}").ToList();

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

    /// <summary>Stops the daemon (archiver and applier stop at a transaction boundary) and releases the key.</summary>
    public async ValueTask DisposeAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _host.StopAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            // stopping took too long; disposing ends it
        }

        await _host.DisposeAsync();
    }
}

using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Failover.Tests.Promotion;

/// <summary>A master, a standby and a live archiver of the master into a temp directory, shared by a test class.</summary>
public abstract class FailoverFixture(TestServerOptions flavour) : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private SourceAndStandbyFixture? _servers;
    private Task? _archiver;

    public TestServer Master => _servers!.Source;

    public TestServer Standby => _servers!.Standby;

    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), "rk-failover-" + Guid.NewGuid().ToString("N")[..8]);

    public Task ArchiverTask => _archiver ?? Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _servers = flavour.Flavor == ServerFlavor.MySql ? new MySqlSourceAndStandbyFixture() : new MariaDbSourceAndStandbyFixture();
        await _servers.InitializeAsync();
        await Master.ExecuteAsync("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pass'");
        await Master.ExecuteAsync("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON *.* TO 'app'@'%'");
        await Standby.ExecuteAsync("CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'app-pass'");
        await Standby.ExecuteAsync("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP ON *.* TO 'app'@'%'");
        var files = await Master.BinlogFilesAsync();
        var layout = new ArchiveLayout(ArchiveDirectory);
        _archiver = Task.Run(() => LiveArchiver.RunAsync(
            new LiveArchiverOptions
            {
                Layout = layout,
                StartFile = files[0],
                Replication = new ReplicationOptions
                {
                    Connection = ConnectionOptions.Parse(Master.ReplicationConnectionString),
                    HeartbeatInterval = TimeSpan.FromSeconds(1),
                },
            },
            _stop.Token));
    }

    /// <summary>The application's connection string (no SUPER: read_only applies to it on both flavours).</summary>
    public static string AppConnectionString(TestServer server) =>
        $"Server={server.Host};Port={server.Port};User ID=app;Password=app-pass;SslMode=None;AllowPublicKeyRetrieval=true;Pooling=false";

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await ArchiverTask;
        }
        catch (Exception)
        {
            // cancelled or failed: the tests that needed it have reported
        }

        if (_servers is not null)
        {
            await _servers.DisposeAsync();
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
}

public sealed class MySqlFailoverFixture() : FailoverFixture(TestServerOptions.MySql);

public sealed class MariaDbFailoverFixture() : FailoverFixture(TestServerOptions.MariaDb);

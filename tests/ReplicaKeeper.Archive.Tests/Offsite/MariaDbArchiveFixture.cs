using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Live;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Offsite;

/// <summary>
/// A local archive made by the live archiver from a real MariaDB 10.11 during a mixed workload with
/// three rotations (four sealed segments). The server is stopped once the archive is built; tests copy
/// the archive when they need to change it.
/// </summary>
public sealed class MariaDbArchiveFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();

    public ArchiveLayout Layout => _directory.Layout;

    public IReadOnlyList<string> Sealed { get; private set; } = [];

    public async Task InitializeAsync()
    {
        await using var server = await TestServer.StartAsync(TestServerOptions.MariaDb);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var start = (await server.BinlogFilesAsync(cts.Token))[^1];
        var run = Task.Run(() => LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = Layout,
            StartFile = start,
            Replication = new ReplicationOptions
            {
                Connection = ConnectionOptions.Parse(server.ReplicationConnectionString),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
            },
        }, cts.Token));
        await Workload.RunAsync(server, rotations: 3, cts.Token, schema: "offsite");
        await server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var closed = (await server.BinlogFilesAsync(cts.Token)).SkipLast(1).SkipWhile(f => f != start).ToList();
        await LiveArchiverTests.WaitForSealedAsync(Layout, closed, run, cts.Token);
        await cts.CancelAsync();
        await LiveArchiverTests.IgnoreCancellation(run);
        Sealed = closed;
    }

    /// <summary>A copy of the archive's sealed part (manifest, sealed/, index/) in a new temp directory.</summary>
    internal TempDirectory Copy()
    {
        var copy = new TempDirectory();
        foreach (var file in Directory.EnumerateFiles(Layout.Root, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Layout.Root, file);
            if (relative.StartsWith("segments", StringComparison.Ordinal) || relative == "state.json")
            {
                continue;
            }

            var target = Path.Combine(copy.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

using System.Diagnostics;
using System.Globalization;
using ReplicaKeeper.TestServers.Internal;
using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Servers never outlive the test process that started them.</summary>
public sealed class WatchdogTests
{
    [Fact]
    public async Task Server_dies_when_the_test_process_that_owns_it_goes_away()
    {
        await using var server = await TestServer.StartAsync(TestServerOptions.MariaDb);
        var pid = server.ServerProcessId;

        // closing the watchdog's pipe is what the kernel does when this process dies
        server.SimulateOwnerDeath();

        var clock = Stopwatch.StartNew();
        while (ProcessIdentity.Exists(pid) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.False(ProcessIdentity.Exists(pid));
    }

    [Fact]
    public async Task Instances_left_by_a_dead_test_process_are_reaped()
    {
        var root = InstanceDirectory.RootFor(ServerFlavor.MariaDb);
        Directory.CreateDirectory(root);
        var stale = Path.Combine(root, "zzstale" + Random.Shared.Next(10, 99));
        var live = Path.Combine(root, "zzlive" + Random.Shared.Next(100, 999));
        Directory.CreateDirectory(stale);
        Directory.CreateDirectory(live);
        await File.WriteAllTextAsync(Path.Combine(live, InstanceDirectory.OwnerFileName), ProcessIdentity.Current.ToString());

        // an owner that no longer exists (same pid, another start time) and a "server" still running in its directory
        await File.WriteAllTextAsync(Path.Combine(stale, InstanceDirectory.OwnerFileName), new ProcessIdentity(Environment.ProcessId, 1).ToString());
        await File.WriteAllTextAsync(Path.Combine(stale, "s.log"), string.Empty);
        using var orphan = Process.Start("tail", ["-f", Path.Combine(stale, "s.log")]);
        await File.WriteAllTextAsync(Path.Combine(stale, InstanceDirectory.ServerPidFileName), orphan.Id.ToString(CultureInfo.InvariantCulture));
        try
        {
            StaleInstanceReaper.Reap(ServerFlavor.MariaDb);

            Assert.False(Directory.Exists(stale));
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await orphan.WaitForExitAsync(limit.Token);
            Assert.True(orphan.HasExited);
            Assert.True(Directory.Exists(live));
        }
        finally
        {
            if (!orphan.HasExited)
            {
                orphan.Kill();
            }

            Directory.Delete(live, recursive: true);
        }
    }
}

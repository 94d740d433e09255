using System.Diagnostics;
using ReplicaKeeper.TestServers.Internal;
using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Start, kill, restart, dispose and crash clean-up, with servers of their own (not shared fixtures).</summary>
public sealed class LifecycleTests
{
    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MariaDb, ServerFlavor.MySql };

    private static TestServerOptions OptionsFor(ServerFlavor flavor) =>
        flavor == ServerFlavor.MySql ? TestServerOptions.MySql : TestServerOptions.MariaDb;

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Servers_started_in_parallel_get_distinct_ports_ids_and_directories(ServerFlavor flavor)
    {
        var starts = Enumerable.Range(0, 2).Select(_ => TestServer.StartAsync(OptionsFor(flavor))).ToArray();
        try
        {
            await Task.WhenAll(starts);
            var (first, second) = (await starts[0], await starts[1]);
            Assert.NotEqual(first.Port, second.Port);
            Assert.NotEqual(first.ServerId, second.ServerId);
            Assert.NotEqual(first.DataDirectory, second.DataDirectory);
            Assert.Equal(first.ServerId, await first.ScalarAsync<uint>("SELECT @@server_id"));
            Assert.Equal(second.ServerId, await second.ScalarAsync<uint>("SELECT @@server_id"));
            if (flavor == ServerFlavor.MySql)
            {
                Assert.NotEqual(await first.ScalarAsync<string>("SELECT @@server_uuid"), await second.ScalarAsync<string>("SELECT @@server_uuid"));
            }
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Dispose_leaves_no_process_and_no_directory_behind(ServerFlavor flavor)
    {
        var server = await TestServer.StartAsync(OptionsFor(flavor));
        var pid = server.ServerProcessId;
        var directory = server.InstanceDirectory;
        Assert.True(ProcessIdentity.Exists(pid));
        Assert.Contains(Path.GetFileName(directory), ProcessIdentity.ReadCommandLine(pid), StringComparison.Ordinal);

        await server.DisposeAsync();

        Assert.False(ProcessIdentity.Exists(pid));
        Assert.False(Directory.Exists(directory));
        Assert.Empty(ProcessesMentioning(Path.GetFileName(directory)));
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Kill_then_start_again_keeps_port_data_and_binlogs(ServerFlavor flavor)
    {
        await using var server = await TestServer.StartAsync(OptionsFor(flavor));
        await server.ExecuteAsync("CREATE DATABASE clinic; CREATE TABLE clinic.patients (id INT PRIMARY KEY); INSERT INTO clinic.patients VALUES (1), (2);");
        var firstPid = server.ServerProcessId;

        await server.KillAsync();
        Assert.False(server.IsRunning);
        Assert.False(ProcessIdentity.Exists(firstPid));
        await Assert.ThrowsAnyAsync<Exception>(() => server.ScalarAsync<long>("SELECT 1"));

        await server.StartAgainAsync();
        Assert.True(server.IsRunning);
        Assert.NotEqual(firstPid, server.ServerProcessId);
        Assert.Equal(server.Port, await server.ScalarAsync<int>("SELECT @@port"));
        Assert.Equal(2L, await server.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.patients"));
        Assert.Equal(["bin.000001", "bin.000002"], await server.BinlogFilesAsync());

        await server.StopAsync();
        Assert.False(server.IsRunning);
        await server.StartAgainAsync();
        Assert.Equal(["bin.000001", "bin.000002", "bin.000003"], await server.BinlogFilesAsync());
    }

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
        await File.WriteAllTextAsync(Path.Combine(stale, InstanceDirectory.ServerPidFileName), orphan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            StaleInstanceReaper.Reap(ServerFlavor.MariaDb);

            Assert.False(Directory.Exists(stale));
            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(10)));
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

    [Fact]
    public async Task Options_a_flavour_does_not_have_are_refused_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MariaDb with { TransactionCompression = true }));
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MySql with { LogBinCompress = true }));
    }

    [Fact]
    public async Task Binlog_tool_of_the_mysql_chroot_reads_files_from_outside_the_chroot()
    {
        await using var server = await TestServer.StartAsync(TestServerOptions.MySql with { TransactionCompression = true });
        await server.ExecuteAsync("CREATE DATABASE clinic; CREATE TABLE clinic.notes (id INT PRIMARY KEY, body TEXT); INSERT INTO clinic.notes VALUES (1, 'x-ray booked');");
        await server.ExecuteAsync("FLUSH BINARY LOGS");
        var outside = Path.Combine(Path.GetTempPath(), $"rk-copy-{Guid.NewGuid():N}.000001");
        File.Copy(server.BinlogPath("bin.000001"), outside);
        try
        {
            var result = await server.RunBinlogToolAsync(["-vv", "--base64-output=decode-rows", outside]);
            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Contains("Transaction_Payload", result.StandardOutput, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("'x-ray booked'", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    private static List<int> ProcessesMentioning(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid => pid != Environment.ProcessId && ProcessIdentity.ReadCommandLine(pid)?.Contains(text, StringComparison.Ordinal) == true)
            .ToList();
}

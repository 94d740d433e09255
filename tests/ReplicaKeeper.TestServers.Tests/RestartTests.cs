using ReplicaKeeper.TestServers.Internal;
using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Kill, clean stop and start again on the same datadir and port.</summary>
public sealed class RestartTests
{
    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MariaDb, ServerFlavor.MySql };

    private static TestServerOptions OptionsFor(ServerFlavor flavor) =>
        flavor == ServerFlavor.MySql ? TestServerOptions.MySql : TestServerOptions.MariaDb;

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
}

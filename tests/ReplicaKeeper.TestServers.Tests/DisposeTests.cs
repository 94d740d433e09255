using System.Globalization;
using ReplicaKeeper.TestServers.Internal;
using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Dispose removes every trace of an instance.</summary>
public sealed class DisposeTests
{
    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MariaDb, ServerFlavor.MySql };

    private static TestServerOptions OptionsFor(ServerFlavor flavor) =>
        flavor == ServerFlavor.MySql ? TestServerOptions.MySql : TestServerOptions.MariaDb;

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

    private static List<int> ProcessesMentioning(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => pid != Environment.ProcessId && ProcessIdentity.ReadCommandLine(pid)?.Contains(text, StringComparison.Ordinal) == true)
            .ToList();
}

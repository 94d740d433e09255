using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Servers started at the same time do not collide.</summary>
public sealed class ParallelStartTests
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
}

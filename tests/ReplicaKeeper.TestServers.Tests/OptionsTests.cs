using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Option combinations a flavour does not support.</summary>
public sealed class OptionsTests
{
    [Fact]
    public async Task Options_a_flavour_does_not_have_are_refused_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MariaDb with { TransactionCompression = true }));
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MySql with { LogBinCompress = true }));
    }
}

using ReplicaKeeper.TestServers.Internal;
using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>Option combinations a flavour does not support, and a missing installation.</summary>
public sealed class OptionsTests
{
    [Fact]
    public async Task Options_a_flavour_does_not_have_are_refused_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MariaDb with { TransactionCompression = true }));
        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync(TestServerOptions.MySql with { LogBinCompress = true }));
    }

    [Fact]
    public void A_missing_mysql_chroot_is_reported_with_the_install_command()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServerInstallation.EnsureMySqlChroot("/nonexistent/rk-chroot"));
        Assert.Contains("scripts/install-servers.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/rk-chroot", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_installed_mysql_chroot_passes_the_same_check()
    {
        ServerInstallation.EnsureMySqlChroot(ServerInstallation.MySqlChroot);
    }
}

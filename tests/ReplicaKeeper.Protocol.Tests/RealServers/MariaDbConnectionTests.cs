using System.Text;
using ReplicaKeeper.Protocol.Authentication;
using ReplicaKeeper.Protocol.Handshake;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Protocol.Tests.RealServers;

/// <summary>Against a real MariaDB 10.11 with its own CA and a certificate for 127.0.0.1.</summary>
public class MariaDbConnectionTests(MariaDbTlsFixture fixture) : IClassFixture<MariaDbTlsFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Connects_with_mysql_native_password_and_reports_the_server()
    {
        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(Server.AdminOptions(TlsMode.Disabled), CancellationToken.None);

        Assert.Equal(AuthenticationPlugins.NativePassword, connection.AuthenticationPlugin);
        Assert.True(connection.Server.IsMariaDb);
        Assert.StartsWith("10.11.", connection.Server.VersionString, StringComparison.Ordinal);
        Assert.DoesNotContain("5.5.5-", connection.Server.VersionString, StringComparison.Ordinal);
        Assert.Equal(10, connection.Server.Version.Major);
        Assert.Equal(0UL, (ulong)(connection.Server.Capabilities & CapabilityFlags.LongPassword));

        QueryResult id = await connection.QueryAsync("SELECT CONNECTION_ID(), @@version", CancellationToken.None);
        Assert.Equal(connection.Server.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture), id.Rows[0][0]);
        Assert.Equal(connection.Server.VersionString, id.Rows[0][1]);
    }

    [Fact]
    public async Task Connects_with_client_ed25519_and_derives_the_same_public_key_as_the_server()
    {
        Assert.True(File.Exists("/usr/lib/mysql/plugin/auth_ed25519.so"), "auth_ed25519.so is not installed on this machine");
        string user = RealServerHelpers.NewUserName("ed");
        const string password = "ed25519 pässword with a long tail .........................................";
        await InstallEd25519Async();
        await Server.ExecuteAsync($"CREATE USER '{user}'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('{password}')");

        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(Server.Options(user, password, TlsMode.Disabled), CancellationToken.None))
        {
            Assert.Equal(AuthenticationPlugins.MariaDbEd25519, connection.AuthenticationPlugin);
            QueryResult who = await connection.QueryAsync("SELECT CURRENT_USER()", CancellationToken.None);
            Assert.StartsWith(user + "@", who.Rows[0][0], StringComparison.Ordinal);
        }

        string? createUser = await Server.ScalarAsync<string>($"SHOW CREATE USER '{user}'@'%'");
        string expectedKey = Convert.ToBase64String(Ed25519.PublicKey(Encoding.UTF8.GetBytes(password))).TrimEnd('=');
        Assert.Contains($"USING '{expectedKey}'", createUser, StringComparison.Ordinal);

        var wrong = await Assert.ThrowsAsync<MySqlServerException>(async () =>
            await ProtocolConnection.OpenAsync(Server.Options(user, password + "x", TlsMode.Disabled), CancellationToken.None));
        Assert.Equal(1045, wrong.ErrorCode);
    }

    [Fact]
    public async Task Reports_a_wrong_password_with_error_1045_naming_user_and_host()
    {
        var options = Server.Options(Server.AdminUser, "definitely-wrong-pw", TlsMode.Disabled);
        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await ProtocolConnection.OpenAsync(options, CancellationToken.None));

        Assert.Equal(1045, error.ErrorCode);
        Assert.Equal("28000", error.SqlState);
        Assert.Contains($"'{Server.AdminUser}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{Server.Port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("definitely-wrong-pw", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public Task Every_tls_mode_connects_as_documented() => TlsModeScenarios.Every_mode_connects_as_documented(Server);

    [Fact]
    public Task Verify_full_checks_the_host_name_and_verify_ca_does_not() => TlsModeScenarios.Verify_full_checks_the_host_name_and_verify_ca_does_not(Server);

    [Fact]
    public Task Verification_against_the_wrong_ca_fails_with_the_reason() => TlsModeScenarios.Verification_against_the_wrong_ca_fails_with_the_reason(Server);

    [Fact]
    public Task Verification_without_a_ca_file_fails_for_a_private_ca() => TlsModeScenarios.Verification_without_a_ca_file_uses_the_system_store_and_fails_for_a_private_ca(Server);

    [Fact]
    public async Task Round_trips_nulls_and_values_larger_than_16_MiB_in_both_directions()
    {
        await Server.ExecuteAsync("SET GLOBAL max_allowed_packet = 67108864");
        await LargeValueScenario.RunAsync(Server.AdminOptions(TlsMode.VerifyFull));
        await LargeValueScenario.RunAsync(Server.AdminOptions(TlsMode.Disabled));
    }

    [Fact]
    public async Task Sends_raw_commands_and_reads_the_answers() => await LargeValueScenario.PingAndErrorAsync(Server.AdminOptions(TlsMode.Disabled));

    private async Task InstallEd25519Async()
    {
        try
        {
            await Server.ExecuteAsync("INSTALL SONAME 'auth_ed25519'");
        }
        catch (MySqlConnector.MySqlException ex) when (ex.Number == 1968)
        {
            // already installed
        }
    }
}

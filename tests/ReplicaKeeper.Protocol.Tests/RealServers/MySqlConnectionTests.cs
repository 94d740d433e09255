using ReplicaKeeper.Protocol.Authentication;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Protocol.Tests.RealServers;

/// <summary>Against a real MySQL 9.7 (caching_sha2_password only) with its own CA and a certificate for 127.0.0.1.</summary>
public class MySqlConnectionTests(MySqlTlsFixture fixture) : IClassFixture<MySqlTlsFixture>
{
    private const string Password = "Sha2-pässword!";

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Caching_sha2_full_authentication_over_tls_primes_the_fast_path_for_plain_connections()
    {
        string user = await CreateUserAsync("fast");
        var plainNoKey = Server.Options(user, Password, TlsMode.Disabled);

        // Nothing cached yet: a plain connection cannot complete full authentication without an RSA key.
        var needsFullAuth = await Assert.ThrowsAsync<MySqlAuthenticationException>(async () => await ProtocolConnection.OpenAsync(plainNoKey, CancellationToken.None));
        Assert.Contains("AllowPublicKeyRetrieval", needsFullAuth.Message, StringComparison.Ordinal);

        await using (ProtocolConnection tls = await ProtocolConnection.OpenAsync(Server.Options(user, Password, TlsMode.VerifyFull), CancellationToken.None))
        {
            Assert.True(tls.IsEncrypted);
            Assert.Equal(AuthenticationPlugins.CachingSha2Password, tls.AuthenticationPlugin);
        }

        // Now cached: the scramble alone authenticates (fast path), still without TLS or RSA.
        await using ProtocolConnection fast = await ProtocolConnection.OpenAsync(plainNoKey, CancellationToken.None);
        Assert.False(fast.IsEncrypted);
        Assert.False(fast.Server.IsMariaDb);
        Assert.StartsWith("9.", fast.Server.VersionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_without_tls_retrieves_the_rsa_key_when_allowed()
    {
        string user = await CreateUserAsync("rsa");
        var options = Server.Options(user, Password, TlsMode.Disabled) with { AllowPublicKeyRetrieval = true };

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(options, CancellationToken.None);
        Assert.False(connection.IsEncrypted);
        QueryResult who = await connection.QueryAsync("SELECT CURRENT_USER()", CancellationToken.None);
        Assert.StartsWith(user + "@", who.Rows[0][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_without_tls_uses_the_server_public_key_file()
    {
        string keyFile = Path.Combine(Path.GetTempPath(), $"rk-mysql-key-{Guid.NewGuid():N}.pem");
        try
        {
            await using (ProtocolConnection admin = await ProtocolConnection.OpenAsync(Server.AdminOptions(), CancellationToken.None))
            {
                QueryResult key = await admin.QueryAsync("SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key'", CancellationToken.None);
                await File.WriteAllTextAsync(keyFile, key.Rows[0][1]);
            }

            string user = await CreateUserAsync("keyfile");
            var options = Server.Options(user, Password, TlsMode.Disabled) with { ServerRsaPublicKeyFile = keyFile };
            await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(options, CancellationToken.None);
            Assert.False(connection.IsEncrypted);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Reports_a_wrong_password_with_error_1045_over_tls_and_over_rsa()
    {
        string user = await CreateUserAsync("wrong");
        foreach (ConnectionOptions options in new[]
        {
            Server.Options(user, "not-the-password", TlsMode.VerifyFull),
            Server.Options(user, "not-the-password", TlsMode.Disabled) with { AllowPublicKeyRetrieval = true },
        })
        {
            var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await ProtocolConnection.OpenAsync(options, CancellationToken.None));
            Assert.Equal(1045, error.ErrorCode);
            Assert.Contains($"user '{user}'", error.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{Server.Port}", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-password", error.ToString(), StringComparison.Ordinal);
        }
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
        await LargeValueScenario.RunAsync(Server.AdminOptions(TlsMode.Disabled) with { AllowPublicKeyRetrieval = true });
    }

    [Fact]
    public async Task Sends_raw_commands_and_reads_the_answers() =>
        await LargeValueScenario.PingAndErrorAsync(Server.AdminOptions(TlsMode.Required));

    private async Task<string> CreateUserAsync(string prefix)
    {
        string user = RealServerHelpers.NewUserName(prefix);
        await Server.ExecuteAsync($"CREATE USER '{user}'@'%' IDENTIFIED WITH caching_sha2_password BY '{Password}'");
        return user;
    }
}

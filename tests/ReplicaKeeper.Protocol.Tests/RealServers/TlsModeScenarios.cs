using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Protocol.Tests.RealServers;

/// <summary>TLS behaviour shared by the MariaDB and MySQL TLS fixtures (own CA, certificate for 127.0.0.1).</summary>
internal static class TlsModeScenarios
{
    public static async Task Every_mode_connects_as_documented(TestServer server)
    {
        foreach (TlsMode mode in new[] { TlsMode.Preferred, TlsMode.Required, TlsMode.VerifyCA, TlsMode.VerifyFull })
        {
            await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.AdminOptions(mode), CancellationToken.None);
            Assert.True(connection.IsEncrypted, $"{mode} should encrypt");
            QueryResult cipher = await connection.QueryAsync("SHOW SESSION STATUS LIKE 'Ssl_cipher'", CancellationToken.None);
            Assert.False(string.IsNullOrEmpty(cipher.Rows[0][1]), $"{mode}: the server reports no cipher");
        }

        await using ProtocolConnection plain = await ProtocolConnection.OpenAsync(server.AdminOptions(TlsMode.Disabled), CancellationToken.None);
        Assert.False(plain.IsEncrypted);
        QueryResult none = await plain.QueryAsync("SHOW SESSION STATUS LIKE 'Ssl_cipher'", CancellationToken.None);
        Assert.True(string.IsNullOrEmpty(none.Rows[0][1]));
    }

    public static async Task Verify_full_checks_the_host_name_and_verify_ca_does_not(TestServer server)
    {
        // The certificate names only IP 127.0.0.1; "localhost" reaches the same server under a name it does not carry.
        var verifyCa = server.AdminOptions(TlsMode.VerifyCA) with { Host = "localhost" };
        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(verifyCa, CancellationToken.None))
        {
            Assert.True(connection.IsEncrypted);
        }

        var verifyFull = server.AdminOptions(TlsMode.VerifyFull) with { Host = "localhost" };
        var error = await Assert.ThrowsAsync<MySqlTlsException>(async () => await ProtocolConnection.OpenAsync(verifyFull, CancellationToken.None));
        Assert.Contains("does not name the host 'localhost'", error.Message, StringComparison.Ordinal);
    }

    public static async Task Verification_against_the_wrong_ca_fails_with_the_reason(TestServer server)
    {
        string otherCa = RealServerHelpers.WriteUnrelatedCaFile();
        try
        {
            foreach (TlsMode mode in new[] { TlsMode.VerifyCA, TlsMode.VerifyFull })
            {
                var options = server.AdminOptions(mode) with { TlsCaFile = otherCa };
                var error = await Assert.ThrowsAsync<MySqlTlsException>(async () => await ProtocolConnection.OpenAsync(options, CancellationToken.None));
                Assert.Contains("does not chain to a CA in SslCa", error.Message, StringComparison.Ordinal);
                Assert.Contains(otherCa, error.Message, StringComparison.Ordinal);
            }

            // Required encrypts without verifying, so the wrong CA does not matter.
            await using ProtocolConnection required = await ProtocolConnection.OpenAsync(server.AdminOptions(TlsMode.Required) with { TlsCaFile = otherCa }, CancellationToken.None);
            Assert.True(required.IsEncrypted);
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    public static async Task Verification_without_a_ca_file_uses_the_system_store_and_fails_for_a_private_ca(TestServer server)
    {
        var options = server.AdminOptions(TlsMode.VerifyCA) with { TlsCaFile = null };
        var error = await Assert.ThrowsAsync<MySqlTlsException>(async () => await ProtocolConnection.OpenAsync(options, CancellationToken.None));
        Assert.Contains("not trusted by the system CA store", error.Message, StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using System.Text;
using ReplicaKeeper.Protocol.Authentication;
using ReplicaKeeper.Protocol.Tests.Fakes;

namespace ReplicaKeeper.Protocol.Tests.Connection;

/// <summary>Handshake and authentication against a scripted server.</summary>
public class HandshakeAndAuthenticationTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Answers_an_auth_switch_to_mysql_native_password_with_the_new_nonce()
    {
        byte[] switchNonce = Encoding.ASCII.GetBytes("ZYXWVUTSRQponmlkjihg");
        HandshakeResponseInfo? response = null;
        byte[]? switchAnswer = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct, plugin: "caching_sha2_password");
            response = await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0xFE, .. "mysql_native_password"u8, 0, .. switchNonce, 0], ct);
            switchAnswer = await client.ReadAsync(ct);
            await client.SendOkAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None))
        {
            Assert.Equal(AuthenticationPlugins.NativePassword, connection.AuthenticationPlugin);
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal("app", response!.User);
        Assert.Equal("caching_sha2_password", response.Plugin);
        Assert.Equal(PasswordScrambles.CachingSha2Password("s3cret!", FakeClient.Nonce20), response.AuthResponse);
        Assert.Equal(NativeScramble("s3cret!", switchNonce), switchAnswer);
    }

    [Fact]
    public async Task Completes_caching_sha2_fast_authentication()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct);
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0x01, 0x03], ct);
            await client.SendOkAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        Assert.Equal(AuthenticationPlugins.CachingSha2Password, connection.AuthenticationPlugin);
        Assert.False(connection.IsEncrypted);
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_without_tls_requests_the_rsa_key_and_sends_the_oaep_encrypted_password()
    {
        using var rsa = RSA.Create(2048);
        string publicKeyPem = rsa.ExportSubjectPublicKeyInfoPem();
        byte[]? keyRequest = null;
        byte[]? encrypted = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct);
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0x01, 0x04], ct);
            keyRequest = await client.ReadAsync(ct);
            await client.SendAsync([0x01, .. Encoding.ASCII.GetBytes(publicKeyPem)], ct);
            encrypted = await client.ReadAsync(ct);
            await client.SendOkAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using (await ProtocolConnection.OpenAsync(server.Options() with { AllowPublicKeyRetrieval = true }, CancellationToken.None))
        {
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal(new byte[] { 0x02 }, keyRequest);
        Assert.Equal("s3cret!\0", DecryptPassword(rsa, encrypted!, FakeClient.Nonce20));
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_uses_the_configured_server_public_key_file()
    {
        using var rsa = RSA.Create(2048);
        string keyFile = Path.Combine(Path.GetTempPath(), $"rk-key-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyFile, rsa.ExportSubjectPublicKeyInfoPem());
        byte[]? encrypted = null;
        try
        {
            await using var server = FakeServer.Start(async (client, ct) =>
            {
                await client.SendHandshakeAsync(ct);
                await client.ReadHandshakeResponseAsync(ct);
                await client.SendAsync([0x01, 0x04], ct);
                encrypted = await client.ReadAsync(ct);
                await client.SendOkAsync(ct);
                await client.ReadToEndAsync(ct);
            });

            await using (await ProtocolConnection.OpenAsync(server.Options() with { ServerRsaPublicKeyFile = keyFile }, CancellationToken.None))
            {
            }

            await server.Completion.WaitAsync(TestTimeout);
            Assert.Equal("s3cret!\0", DecryptPassword(rsa, encrypted!, FakeClient.Nonce20));
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_without_tls_key_or_retrieval_fails_with_advice_and_without_the_password()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct);
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0x01, 0x04], ct);
            await client.ReadToEndAsync(ct);
        });

        var error = await Assert.ThrowsAsync<MySqlAuthenticationException>(async () => await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None));
        Assert.Contains("AllowPublicKeyRetrieval", error.Message, StringComparison.Ordinal);
        Assert.Contains("'app'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789ABCDEF0123456789abcdef")]
    [InlineData("0123456789ABCDEF0123456789abcde\0")] // a random nonce ends in 0x00 one time in 256: it is part of the nonce
    public async Task Answers_a_client_ed25519_auth_switch_with_a_signature_of_all_32_nonce_bytes(string nonceText)
    {
        byte[] nonce = Encoding.ASCII.GetBytes(nonceText);
        Assert.Equal(32, nonce.Length);
        byte[]? signature = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct, version: "5.5.5-10.11.6-MariaDB", capabilities: FakeClient.MySqlCapabilities & ~FakeClient.CapLongPassword, plugin: "mysql_native_password");
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0xFE, .. "client_ed25519"u8, 0, .. nonce], ct);
            signature = await client.ReadAsync(ct);
            await client.SendOkAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None))
        {
            Assert.Equal(AuthenticationPlugins.MariaDbEd25519, connection.AuthenticationPlugin);
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal(64, signature!.Length);
        Assert.True(Ed25519.Verify(Ed25519.PublicKey("s3cret!"u8), nonce, signature));
    }

    [Fact]
    public async Task Reports_a_wrong_password_with_server_error_host_and_user_but_not_the_password()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct, plugin: "mysql_native_password");
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendErrorAsync(1045, "28000", "Access denied for user 'app'@'localhost' (using password: YES)", ct);
        });

        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None));
        Assert.Equal(1045, error.ErrorCode);
        Assert.Equal("28000", error.SqlState);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("user 'app'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Access denied", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_an_unsupported_plugin_by_name()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct, plugin: "mysql_native_password");
            await client.ReadHandshakeResponseAsync(ct);
            await client.SendAsync([0xFE, .. "auth_gssapi_client"u8, 0, 1, 2, 3], ct);
            await client.ReadToEndAsync(ct);
        });

        var error = await Assert.ThrowsAsync<MySqlAuthenticationException>(async () => await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None));
        Assert.Contains("auth_gssapi_client", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parses_a_mariadb_handshake_and_strips_the_replication_version_prefix()
    {
        HandshakeResponseInfo? response = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(
                ct,
                version: "5.5.5-10.11.6-MariaDB-0+deb12u1-log",
                capabilities: FakeClient.MySqlCapabilities & ~FakeClient.CapLongPassword,
                plugin: "mysql_native_password",
                mariaDbCapabilities: 0x1F);
            response = await client.ReadHandshakeResponseAsync(ct);
            await client.SendOkAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options() with { Database = "shop" }, CancellationToken.None))
        {
            ServerInfo info = connection.Server;
            Assert.True(info.IsMariaDb);
            Assert.Equal("10.11.6-MariaDB-0+deb12u1-log", info.VersionString);
            Assert.Equal(new Version(10, 11, 6), info.Version);
            Assert.Equal(42u, info.ConnectionId);
            Assert.True(info.Capabilities.HasFlag(Handshake.CapabilityFlags.MariaDbCacheMetadata));
            Assert.False(connection.Capabilities.HasFlag(Handshake.CapabilityFlags.MariaDbProgress));
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal("shop", response!.Database);
        Assert.Equal("ReplicaKeeper", response.Attributes["_client_name"]);
        Assert.Equal(0u, response.Capabilities & FakeClient.CapLongPassword);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("protocol9")]
    [InlineData("empty")]
    [InlineData("no-version-terminator")]
    public async Task Rejects_a_malformed_handshake_clearly(string kind)
    {
        byte[] payload = kind switch
        {
            "truncated" => [10, .. "9.7.4"u8, 0, 1, 0, 0, 0, 1, 2, 3],
            "protocol9" => [9, .. "3.23.58"u8, 0, 1, 0, 0, 0, .. "abcdefgh"u8, 0],
            "empty" => [],
            _ => [10, .. "9.7.4"u8],
        };
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendAsync(payload, ct);
            await client.ReadToEndAsync(ct);
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(async () => await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None));
        Assert.Contains(kind == "protocol9" ? "protocol version 9" : "Malformed handshake packet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Surfaces_an_error_packet_sent_instead_of_the_handshake()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
            await client.SendAsync([0xFF, 0x10, 0x04, .. "Too many connections"u8], ct));

        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None));
        Assert.Equal(1040, error.ErrorCode);
        Assert.Contains("Too many connections", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_a_connection_closed_in_the_middle_of_the_handshake_without_hanging()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendRawAsync([80, 0, 0, 0, 10, (byte)'9', (byte)'.'], ct);
            client.Close();
        });

        var error = await Assert.ThrowsAsync<MySqlConnectionClosedException>(async () =>
            await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None).AsTask().WaitAsync(TestTimeout));
        Assert.Contains("in the middle of a 80-byte packet (received 3 bytes of it)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_out_when_the_server_never_sends_a_handshake()
    {
        await using var server = FakeServer.Start(async (client, ct) => await client.ReadToEndAsync(ct));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimeoutException>(async () =>
            await ProtocolConnection.OpenAsync(server.Options() with { ConnectionTimeout = TimeSpan.FromSeconds(1) }, CancellationToken.None));
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
        Assert.Contains("ConnectionTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_a_refused_connection_with_the_endpoint()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var options = new ConnectionOptions { Host = "127.0.0.1", Port = port, UserName = "app", Password = "s3cret!", TlsMode = TlsMode.Disabled };
        var error = await Assert.ThrowsAsync<IOException>(async () => await ProtocolConnection.OpenAsync(options, CancellationToken.None));
        Assert.Contains($"Cannot connect to 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Honours_cancellation_while_connecting()
    {
        await using var server = FakeServer.Start(async (client, ct) => await client.ReadToEndAsync(ct));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await ProtocolConnection.OpenAsync(server.Options(), cancel.Token));
    }

    [Theory]
    [InlineData(TlsMode.Required)]
    [InlineData(TlsMode.VerifyCA)]
    [InlineData(TlsMode.VerifyFull)]
    public async Task Fails_clearly_when_tls_is_required_but_the_server_does_not_offer_it(TlsMode mode)
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.SendHandshakeAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        var error = await Assert.ThrowsAsync<MySqlTlsException>(async () => await ProtocolConnection.OpenAsync(server.Options() with { TlsMode = mode }, CancellationToken.None));
        Assert.Contains($"SslMode={mode} requires TLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not offer it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preferred_mode_connects_in_plain_text_when_the_server_has_no_tls()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options() with { TlsMode = TlsMode.Preferred }, CancellationToken.None);
        Assert.False(connection.IsEncrypted);
    }

    internal static byte[] NativeScramble(string password, byte[] nonce)
    {
        byte[] stage1 = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        byte[] stage2 = SHA1.HashData(stage1);
        byte[] mix = SHA1.HashData([.. nonce, .. stage2]);
        return stage1.Zip(mix, (a, b) => (byte)(a ^ b)).ToArray();
    }

    private static string DecryptPassword(RSA rsa, byte[] encrypted, byte[] nonce)
    {
        byte[] plain = rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
        return Encoding.UTF8.GetString(plain.Select((b, i) => (byte)(b ^ nonce[i % nonce.Length])).ToArray());
    }
}

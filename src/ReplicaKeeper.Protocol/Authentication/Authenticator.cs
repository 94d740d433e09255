using System.Text;
using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol.Authentication;

/// <summary>
/// Runs the authentication exchange after the handshake response: auth switch requests (0xFE),
/// plugin "more data" (0x01: caching_sha2_password fast/full auth and RSA key), until OK or ERR.
/// </summary>
internal sealed class Authenticator
{
    private const byte CachingSha2FastAuthSuccess = 0x03;
    private const byte CachingSha2PerformFullAuth = 0x04;
    private const byte CachingSha2RequestPublicKey = 0x02;

    private readonly PacketStream _packets;
    private readonly ConnectionOptions _options;
    private readonly bool _isSecureTransport;
    private readonly string _failureContext;
    private string _plugin;
    private byte[] _nonce;
    private bool _awaitingPublicKey;

    public Authenticator(PacketStream packets, ConnectionOptions options, bool isSecureTransport, string plugin, byte[] nonce, string endpoint)
    {
        _packets = packets;
        _options = options;
        _isSecureTransport = isSecureTransport;
        _plugin = plugin;
        _nonce = nonce;
        _failureContext = $"Authentication failed for user '{options.UserName}' at {endpoint}";
    }

    /// <summary>The plugin that finally authenticated the connection.</summary>
    public string Plugin => _plugin;

    /// <summary>The 20-byte scramble of the password plugins, without the NUL some servers append.</summary>
    private ReadOnlySpan<byte> ScrambleNonce => _nonce.AsSpan(0, Math.Min(20, _nonce.Length));

    /// <summary>The response to put in the handshake response for the server's proposed plugin.</summary>
    public byte[] InitialResponse() => Respond(_plugin, _nonce);

    /// <summary>Reads server answers and replies until the server accepts (OK) or refuses (ERR → <see cref="MySqlServerException"/>).</summary>
    public async ValueTask<OkPacket> CompleteAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadOnlyMemory<byte> payload = await _packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            byte[]? reply = HandleServerPacket(payload.Span, out OkPacket? ok);
            if (ok is not null)
            {
                return ok.Value;
            }

            if (reply is not null)
            {
                await _packets.WritePacketAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private byte[]? HandleServerPacket(ReadOnlySpan<byte> payload, out OkPacket? ok)
    {
        ok = null;
        if (payload.IsEmpty)
        {
            throw new MySqlProtocolException("The server sent an empty packet during authentication.");
        }

        switch (payload[0])
        {
            case PacketHeader.Ok:
                ok = OkPacket.Parse(payload);
                return null;
            case PacketHeader.Error:
                throw MySqlServerException.FromErrorPacket(payload, _failureContext);
            case PacketHeader.AuthSwitchRequest:
                return SwitchPlugin(payload);
            case PacketHeader.AuthMoreData:
                return HandleMoreData(payload[1..]);
            default:
                throw new MySqlProtocolException($"Unexpected packet 0x{payload[0]:X2} during authentication with {_plugin}.");
        }
    }

    private byte[] SwitchPlugin(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 1)
        {
            throw new MySqlAuthenticationException(
                $"{_failureContext}: the server asked for the pre-4.1 password hash (mysql_old_password), which is not supported.");
        }

        var reader = new PayloadReader(payload[1..], "auth switch request");
        _plugin = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrRestBytes());

        // Kept as sent: mysql_native_password and caching_sha2_password use the first 20 bytes (a NUL
        // follows them), client_ed25519 signs all 32 (which may end in a zero byte).
        _nonce = reader.ReadRest().ToArray();
        _awaitingPublicKey = false;
        return Respond(_plugin, _nonce);
    }

    private byte[]? HandleMoreData(ReadOnlySpan<byte> data)
    {
        if (_plugin != AuthenticationPlugins.CachingSha2Password)
        {
            throw new MySqlProtocolException($"Unexpected 'auth more data' packet for authentication plugin {_plugin}.");
        }

        if (_awaitingPublicKey)
        {
            _awaitingPublicKey = false;
            return PasswordScrambles.RsaEncryptedPassword(_options.Password, ScrambleNonce, Encoding.ASCII.GetString(data));
        }

        if (data.Length == 1 && data[0] == CachingSha2FastAuthSuccess)
        {
            return null; // the OK packet follows
        }

        if (data.Length != 1 || data[0] != CachingSha2PerformFullAuth)
        {
            throw new MySqlProtocolException($"Unexpected caching_sha2_password status ({data.Length} bytes, first 0x{(data.IsEmpty ? 0 : data[0]):X2}).");
        }

        if (_isSecureTransport)
        {
            return PasswordScrambles.ClearPassword(_options.Password);
        }

        if (_options.ServerRsaPublicKeyFile is { } keyFile)
        {
            string pem;
            try
            {
                pem = File.ReadAllText(keyFile);
            }
            catch (IOException ex)
            {
                throw new MySqlAuthenticationException($"Cannot read ServerRSAPublicKeyFile '{keyFile}': {ex.Message}", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new MySqlAuthenticationException($"Cannot read ServerRSAPublicKeyFile '{keyFile}': {ex.Message}", ex);
            }

            return PasswordScrambles.RsaEncryptedPassword(_options.Password, ScrambleNonce, pem);
        }

        if (_options.AllowPublicKeyRetrieval)
        {
            _awaitingPublicKey = true;
            return [CachingSha2RequestPublicKey];
        }

        throw new MySqlAuthenticationException(
            $"{_failureContext}: caching_sha2_password needs full authentication (the server has not cached this account's password yet), " +
            "and the connection is not encrypted. Use TLS (SslMode=Required or stricter), give the server's public key in ServerRSAPublicKeyFile, " +
            "or set AllowPublicKeyRetrieval=True.");
    }

    private byte[] Respond(string plugin, byte[] nonce) => plugin switch
    {
        AuthenticationPlugins.NativePassword => PasswordScrambles.NativePassword(_options.Password, nonce),
        AuthenticationPlugins.CachingSha2Password => PasswordScrambles.CachingSha2Password(_options.Password, nonce),
        AuthenticationPlugins.MariaDbEd25519 => PasswordScrambles.MariaDbEd25519(_options.Password, nonce),
        AuthenticationPlugins.ClearPassword when _isSecureTransport => PasswordScrambles.ClearPassword(_options.Password),
        AuthenticationPlugins.ClearPassword => throw new MySqlAuthenticationException(
            $"{_failureContext}: the server asks for mysql_clear_password, which would send the password unencrypted; use TLS."),
        _ => throw new MySqlAuthenticationException(
            $"{_failureContext}: the server asks for authentication plugin '{plugin}', which is not supported " +
            "(supported: mysql_native_password, caching_sha2_password, client_ed25519, mysql_clear_password over TLS)."),
    };
}

using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Authentication;
using System.Text;
using ReplicaKeeper.Protocol.Authentication;
using ReplicaKeeper.Protocol.Commands;
using ReplicaKeeper.Protocol.Handshake;
using ReplicaKeeper.Protocol.Packets;
using ReplicaKeeper.Protocol.Tls;
using ReplicaKeeper.Protocol.Transport;

namespace ReplicaKeeper.Protocol;

/// <summary>
/// One authenticated client connection speaking the MySQL/MariaDB protocol: text queries, plus raw
/// command/packet access for the replication layer.
/// </summary>
/// <remarks>
/// Not thread-safe: one operation at a time. Cancelling an operation, or any I/O or protocol error,
/// leaves the connection broken (<see cref="IsBroken"/>); a server ERR reply to a query does not.
/// Dispose sends COM_QUIT (if the connection is healthy) and closes the socket.
/// </remarks>
public sealed class ProtocolConnection : IAsyncDisposable
{
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(2);

    private readonly PacketStream _packets;
    private readonly PayloadWriter _commandWriter = new(1024);
    private ServerStatusFlags _lastStatus;
    private bool _disposed;

    private ProtocolConnection(PacketStream packets, ConnectionOptions options, ServerInfo server, CapabilityFlags capabilities, SslProtocols? tlsProtocol, string plugin)
    {
        _packets = packets;
        Options = options;
        Server = server;
        Capabilities = capabilities;
        TlsProtocol = tlsProtocol;
        AuthenticationPlugin = plugin;
    }

    /// <summary>What the server announced in its handshake.</summary>
    public ServerInfo Server { get; }

    public ConnectionOptions Options { get; }

    /// <summary>Capabilities in use on this connection (client ∩ server).</summary>
    public CapabilityFlags Capabilities { get; }

    /// <summary>The negotiated TLS protocol, or null for an unencrypted connection.</summary>
    public SslProtocols? TlsProtocol { get; }

    public bool IsEncrypted => TlsProtocol is not null;

    /// <summary>The authentication plugin that finally authenticated the connection.</summary>
    public string AuthenticationPlugin { get; }

    /// <summary>True after a failure or cancellation left the protocol state unknown; open a new connection.</summary>
    public bool IsBroken => _packets.IsBroken;

    /// <summary>
    /// Connects, negotiates TLS per <see cref="ConnectionOptions.EffectiveTlsMode"/> and authenticates,
    /// all within <see cref="ConnectionOptions.ConnectionTimeout"/>.
    /// </summary>
    /// <exception cref="MySqlServerException">The server refused (e.g. 1045 wrong password; the message names host and user).</exception>
    /// <exception cref="MySqlTlsException">TLS required but not offered, or the certificate failed validation.</exception>
    /// <exception cref="MySqlAuthenticationException">Authentication cannot proceed on the client side.</exception>
    /// <exception cref="TimeoutException">The connection timeout elapsed.</exception>
    /// <exception cref="IOException">The host is unreachable or closed the connection.</exception>
    public static async ValueTask<ProtocolConnection> OpenAsync(ConnectionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.ConnectionTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(options.ConnectionTimeout);
        }

        PacketStream? packets = null;
        try
        {
            (Socket socket, string host) = await SocketConnector.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
            packets = new PacketStream(new NetworkStream(socket, ownsSocket: true));
            ProtocolConnection connection = await HandshakeAsync(packets, options, host, timeout.Token).ConfigureAwait(false);
            packets = null;
            return connection;
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Connecting to {options.DescribeEndpoint()} timed out after {options.ConnectionTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (ConnectionTimeout).",
                ex);
        }
        finally
        {
            if (packets is not null)
            {
                await packets.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with COM_QUERY and returns its first result set (further result
    /// sets are read and discarded, their errors thrown).
    /// </summary>
    /// <exception cref="MySqlServerException">The server returned an error; the connection stays usable.</exception>
    public async ValueTask<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendQueryAsync(sql, cancellationToken).ConfigureAwait(false);
            QueryResult first = await ReadResultAsync(keepRows: true, cancellationToken).ConfigureAwait(false);
            await DrainMoreResultsAsync(cancellationToken).ConfigureAwait(false);
            return first;
        }
        catch (Exception ex) when (BreaksConnection(ex))
        {
            throw;
        }
    }

    /// <summary>Runs <paramref name="sql"/> and discards any rows; throws <see cref="MySqlServerException"/> on an error.</summary>
    public async ValueTask ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendQueryAsync(sql, cancellationToken).ConfigureAwait(false);
            await ReadResultAsync(keepRows: false, cancellationToken).ConfigureAwait(false);
            await DrainMoreResultsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (BreaksConnection(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> (command byte first) as a new command: sequence id 0, split
    /// into 0xFFFFFF-byte packets when needed. Read the answer with <see cref="ReadPacketAsync"/>.
    /// </summary>
    public ValueTask WriteCommandAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        _packets.ResetSequence();
        return _packets.WritePacketAsync(payload, cancellationToken);
    }

    /// <summary>
    /// Reads one logical payload (continuation packets joined, sequence ids checked). The memory is
    /// valid until the next read on this connection; copy what must outlive it. Completes
    /// synchronously when the packet is already buffered.
    /// </summary>
    /// <exception cref="MySqlConnectionClosedException">The server closed the connection (also mid-packet).</exception>
    /// <exception cref="MySqlProtocolException">Sequence id mismatch or malformed framing.</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _packets.ReadPacketAsync(cancellationToken);
    }

    /// <summary>Reads one packet and expects OK; ERR becomes <see cref="MySqlServerException"/>, anything else <see cref="MySqlProtocolException"/>.</summary>
    public async ValueTask<OkPacket> ReadOkPacketAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            ReadOnlyMemory<byte> payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            return ExpectOk(payload.Span);
        }
        catch (Exception ex) when (BreaksConnection(ex))
        {
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_packets.IsBroken)
        {
            using var quitTimeout = new CancellationTokenSource(QuitTimeout);
            try
            {
                _packets.ResetSequence();
                await _packets.WritePacketAsync(new[] { CommandCode.Quit }, quitTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Best effort: the server may already be gone.
            }
        }

        await _packets.DisposeAsync().ConfigureAwait(false);
        _commandWriter.Dispose();
    }

    private static async ValueTask<ProtocolConnection> HandshakeAsync(PacketStream packets, ConnectionOptions options, string host, CancellationToken cancellationToken)
    {
        string endpoint = options.DescribeEndpoint();
        ReadOnlyMemory<byte> handshakePayload = await packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
        InitialHandshake handshake = InitialHandshake.Parse(handshakePayload.Span);
        ServerInfo server = ServerInfo.From(handshake);

        bool isUnixSocket = host.StartsWith('/');
        bool useTls = DecideTls(options.EffectiveTlsMode, (handshake.Capabilities & CapabilityFlags.Ssl) != 0, isUnixSocket, endpoint);
        CapabilityFlags capabilities = HandshakeResponse.Negotiate(handshake.Capabilities, useTls, options.Database is not null);

        using var writer = new PayloadWriter();
        SslProtocols? tlsProtocol = null;
        if (useTls)
        {
            HandshakeResponse.WriteSslRequest(writer, capabilities);
            await packets.WritePacketAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            writer.Clear();
            SslStream ssl = await TlsNegotiator.AuthenticateAsync(packets.Stream, options.EffectiveTlsMode, host, options.TlsCaFile, cancellationToken).ConfigureAwait(false);
            packets.SwitchStream(ssl);
            tlsProtocol = ssl.SslProtocol;
        }

        string plugin = handshake.AuthPluginName is { } proposed && AuthenticationPlugins.IsSupported(proposed) && proposed != AuthenticationPlugins.ClearPassword
            ? proposed
            : AuthenticationPlugins.NativePassword;
        var authenticator = new Authenticator(packets, options, isSecureTransport: useTls || isUnixSocket, plugin, handshake.Nonce, endpoint);
        byte[] authResponse = authenticator.InitialResponse();
        HandshakeResponse.Write(writer, capabilities, options.UserName, authResponse, options.Database, plugin, ConnectionAttributes(options));
        await packets.WritePacketAsync(writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        writer.Clear();

        await authenticator.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return new ProtocolConnection(packets, options, server, capabilities, tlsProtocol, authenticator.Plugin);
    }

    private static bool DecideTls(TlsMode mode, bool serverOffersTls, bool isUnixSocket, string endpoint) => mode switch
    {
        TlsMode.Disabled => false,
        TlsMode.Preferred => serverOffersTls && !isUnixSocket,
        _ when serverOffersTls => true,
        _ => throw new MySqlTlsException(
            $"SslMode={mode} requires TLS, but the server at {endpoint} does not offer it (configure the server with a certificate, or use SslMode=Preferred/None)."),
    };

    private static List<KeyValuePair<string, string>> ConnectionAttributes(ConnectionOptions options)
    {
        string version = typeof(ProtocolConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var attributes = new List<KeyValuePair<string, string>>
        {
            new("_client_name", "ReplicaKeeper"),
            new("_client_version", version),
            new("_pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
            new("_os", Environment.OSVersion.Platform.ToString()),
        };
        if (options.ApplicationName is { } name)
        {
            attributes.Add(new("program_name", name));
        }

        return attributes;
    }

    private static OkPacket ExpectOk(ReadOnlySpan<byte> payload)
    {
        if (PacketHeader.IsOk(payload))
        {
            return OkPacket.Parse(payload);
        }

        if (PacketHeader.IsError(payload))
        {
            throw MySqlServerException.FromErrorPacket(payload);
        }

        throw new MySqlProtocolException($"Expected an OK packet, received a {payload.Length}-byte packet starting 0x{(payload.IsEmpty ? 0 : payload[0]):X2}.");
    }

    private async ValueTask SendQueryAsync(string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ThrowIfDisposed();
        _commandWriter.Clear();
        _commandWriter.WriteByte(CommandCode.Query).WriteString(sql);
        _packets.ResetSequence();
        await _packets.WritePacketAsync(_commandWriter.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _commandWriter.Clear();
    }

    private async ValueTask<QueryResult> ReadResultAsync(bool keepRows, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> payload = await _packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
        byte header = payload.IsEmpty ? throw Broken("The server sent an empty response to a query.") : payload.Span[0];
        switch (header)
        {
            case PacketHeader.Ok:
                OkPacket ok = OkPacket.Parse(payload.Span);
                _lastStatus = ok.Status;
                return new QueryResult([], [], ok.AffectedRows, ok.LastInsertId);
            case PacketHeader.Error:
                _lastStatus = ServerStatusFlags.None;
                throw MySqlServerException.FromErrorPacket(payload.Span);
            case PacketHeader.LocalInfile:
                throw Broken("The server requested LOCAL INFILE, which this client never enables.");
        }

        ulong columnCount = ReadColumnCount(payload.Span);
        var columns = new ColumnDefinition[columnCount];
        for (ulong i = 0; i < columnCount; i++)
        {
            payload = await _packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            columns[i] = ColumnDefinition.Parse(payload.Span);
        }

        bool deprecateEof = (Capabilities & CapabilityFlags.DeprecateEof) != 0;
        if (!deprecateEof)
        {
            payload = await _packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            if (!PacketHeader.IsEof(payload.Span))
            {
                throw Broken("Expected an EOF packet after the column definitions.");
            }
        }

        var rows = new List<string?[]>();
        while (true)
        {
            payload = await _packets.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> span = payload.Span;
            if (PacketHeader.IsError(span))
            {
                _lastStatus = ServerStatusFlags.None;
                throw MySqlServerException.FromErrorPacket(span);
            }

            if (deprecateEof ? PacketHeader.IsResultSetTerminator(span) : PacketHeader.IsEof(span))
            {
                _lastStatus = deprecateEof ? OkPacket.Parse(span).Status : EofPacket.Parse(span).Status;
                return new QueryResult(columns, rows, 0, 0);
            }

            if (keepRows)
            {
                rows.Add(ParseTextRow(span, columns.Length));
            }
        }
    }

    private async ValueTask DrainMoreResultsAsync(CancellationToken cancellationToken)
    {
        while ((_lastStatus & ServerStatusFlags.MoreResultsExist) != 0)
        {
            await ReadResultAsync(keepRows: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private ulong ReadColumnCount(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload, "result set header");
        ulong count = reader.ReadLengthEncodedInteger();
        if (count == 0 || count > 4096 || reader.HasRemaining)
        {
            throw Broken($"Invalid result set header (column count {count}).");
        }

        return count;
    }

    private static string?[] ParseTextRow(ReadOnlySpan<byte> payload, int columnCount)
    {
        var reader = new PayloadReader(payload, "text row");
        var values = new string?[columnCount];
        for (int i = 0; i < columnCount; i++)
        {
            ulong? length = reader.ReadLengthEncodedIntegerOrNull();
            if (length is { } n)
            {
                if (n > (ulong)reader.Remaining)
                {
                    throw reader.Error($"value of {n} bytes exceeds the {reader.Remaining} bytes left");
                }

                values[i] = Encoding.UTF8.GetString(reader.ReadBytes((int)n));
            }
        }

        if (reader.HasRemaining)
        {
            throw reader.Error($"{reader.Remaining} unexpected bytes after {columnCount} values");
        }

        return values;
    }

    private static MySqlProtocolException Broken(string message) => new(message);

    /// <summary>Exception filter: anything but a server ERR reply leaves the protocol state unknown.</summary>
    private bool BreaksConnection(Exception exception)
    {
        if (exception is not (MySqlServerException or ObjectDisposedException or ArgumentException))
        {
            _packets.MarkBroken(exception is OperationCanceledException ? "an operation was cancelled" : exception.Message);
        }

        return false;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}

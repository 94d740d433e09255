using System.Globalization;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;

namespace ReplicaKeeper.Replication.Internal;

/// <summary>What one read from the dump connection produced.</summary>
internal enum PacketKind
{
    Event,
    EndOfStream,
}

/// <summary>
/// One replication connection: checks the source's configuration, announces this replica
/// (checksum, heartbeat, UUID, MariaDB capability and GTID state), registers, sends the dump
/// command and reads event packets. Dies with its connection; the stream opens a new one to resume.
/// </summary>
internal sealed class SourceSession : IAsyncDisposable
{
    private const byte OkMarker = 0x00;
    private const byte EofMarker = 0xFE;
    private const byte ErrMarker = 0xFF;

    private readonly ISourceConnection _connection;
    private readonly ReplicationOptions _options;
    private readonly ReplicationCheckpoint _start;
    private bool? _semiSyncHeaders;

    private SourceSession(ISourceConnection connection, ReplicationOptions options, ReplicationCheckpoint start)
    {
        _connection = connection;
        _options = options;
        _start = start;
    }

    public bool IsMariaDb => _connection.IsMariaDb;

    public string ServerVersion => _connection.ServerVersion;

    /// <summary>True once the source is seen to send semi-sync headers on this session (decided by its first event packet).</summary>
    public bool SemiSyncHeaders => _semiSyncHeaders == true;

    /// <summary>binlog_checksum of the source (CRC32 or NONE), as announced back to it.</summary>
    public string Checksum { get; private set; } = "NONE";

    /// <summary>Connects, checks, sets up and starts the dump from <paramref name="start"/>.</summary>
    public static async ValueTask<SourceSession> OpenAsync(
        SourceConnector connect, ReplicationOptions options, ReplicationCheckpoint start, CancellationToken ct)
    {
        ISourceConnection connection;
        try
        {
            connection = await connect(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MySqlServerException or MySqlAuthenticationException or MySqlTlsException)
        {
            var mapped = ReplicationErrors.FromLogin(e, options.Connection.UserName, $"{options.Connection.Host}:{options.Connection.Port}");
            if (ReferenceEquals(mapped, e))
            {
                throw;
            }

            throw mapped;
        }

        var session = new SourceSession(connection, options, start);
        try
        {
            await session.StartDumpAsync(ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask StartDumpAsync(CancellationToken ct)
    {
        await CheckSourceAsync(ct).ConfigureAwait(false);
        await AnnounceAsync(ct).ConfigureAwait(false);

        var port = (ushort)Math.Clamp(_options.Connection.Port, 0, ushort.MaxValue);
        await _connection.WriteCommandAsync(ReplicationCommands.RegisterSlave(_options.ServerId, _options.ReplicaHostName, port), ct)
            .ConfigureAwait(false);
        var answer = await _connection.ReadPacketAsync(ct).ConfigureAwait(false);
        if (answer.Span.Length > 0 && answer.Span[0] == ErrMarker)
        {
            throw ReplicationErrors.FromServer(MySqlServerException.FromErrorPacket(answer.Span), _start, _options.Connection.UserName);
        }

        var flags = _options.StopAtEnd ? ReplicationCommands.DumpNonBlock : (ushort)0;
        if (_connection.IsMariaDb)
        {
            flags |= ReplicationCommands.DumpSendAnnotateRows;
        }
        byte[] dump = _start.Mode switch
        {
            ReplicationMode.MySqlGtid => ReplicationCommands.BinlogDumpGtid(_start.GtidSet!, flags, _options.ServerId),
            ReplicationMode.MariaDbGtid => ReplicationCommands.BinlogDump("", BinlogPosition.FirstEventOffset, flags, _options.ServerId),
            _ => ReplicationCommands.BinlogDump(_start.Position!.Value.File, _start.Position.Value.Offset, flags, _options.ServerId),
        };
        await _connection.WriteCommandAsync(dump, ct).ConfigureAwait(false);
    }

    /// <summary>Refuses sources that cannot serve a row-based stream, with a message saying what to change.</summary>
    private async ValueTask CheckSourceAsync(CancellationToken ct)
    {
        var rows = await _connection.QueryAsync(
            "SELECT @@global.log_bin, @@global.binlog_format, @@global.binlog_checksum, @@global.server_id", ct).ConfigureAwait(false);
        var row = rows.Count > 0 ? rows[0] : throw new ReplicationException("The source returned no row for its binlog settings.");
        var logBin = row[0];
        var format = row[1] ?? "";
        Checksum = row[2] ?? "NONE";
        var sourceServerId = row[3];
        if (logBin is not ("1" or "ON"))
        {
            throw new ReplicationException(
                ReplicationErrorKind.ServerConfiguration,
                "The source has binary logging disabled (log_bin=OFF): start it with --log-bin so that it writes a binlog.");
        }

        if (!format.Equals("ROW", StringComparison.OrdinalIgnoreCase))
        {
            throw new ReplicationException(
                ReplicationErrorKind.ServerConfiguration,
                $"The source is not configured for ROW format (binlog_format={format}): set binlog_format=ROW " +
                "(SET PERSIST binlog_format='ROW' on MySQL, binlog_format=ROW in my.cnf on MariaDB) so that row changes can be decoded.");
        }

        if (sourceServerId == _options.ServerId.ToString(CultureInfo.InvariantCulture))
        {
            throw new ReplicationException(
                ReplicationErrorKind.ServerConfiguration,
                $"This replica's server id {_options.ServerId} equals the source's server_id: choose another ServerId.");
        }

        if (_start.Mode == ReplicationMode.MySqlGtid)
        {
            if (_connection.IsMariaDb)
            {
                throw new ReplicationException(
                    ReplicationErrorKind.InvalidStartPosition,
                    "A MySQL GTID set was given but the source is MariaDB: start from a MariaDB GTID position (domain-server-sequence) or a binlog position.");
            }

            var gtidMode = await _connection.QueryAsync("SELECT @@global.gtid_mode", ct).ConfigureAwait(false);
            var mode = gtidMode.Count > 0 ? gtidMode[0][0] : null;
            if (!"ON".Equals(mode, StringComparison.OrdinalIgnoreCase))
            {
                throw new ReplicationException(
                    ReplicationErrorKind.ServerConfiguration,
                    $"The source has gtid_mode={mode}: a GTID start needs gtid_mode=ON (and enforce_gtid_consistency=ON); start from a binlog position instead.");
            }
        }
        else if (_start.Mode == ReplicationMode.MariaDbGtid && !_connection.IsMariaDb)
        {
            throw new ReplicationException(
                ReplicationErrorKind.InvalidStartPosition,
                "A MariaDB GTID position was given but the source is MySQL: start from a MySQL GTID set (uuid:1-5) or a binlog position.");
        }
    }

    /// <summary>The session variables a dump thread reads (both spellings, so any version finds its own).</summary>
    private async ValueTask AnnounceAsync(CancellationToken ct)
    {
        var heartbeatNanos = (ulong)_options.HeartbeatInterval.Ticks * 100UL;
        await _connection.ExecuteAsync(
            "SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum", ct)
            .ConfigureAwait(false);
        await _connection.ExecuteAsync(
            string.Create(CultureInfo.InvariantCulture, $"SET @master_heartbeat_period = {heartbeatNanos}, @source_heartbeat_period = {heartbeatNanos}"),
            ct).ConfigureAwait(false);
        var uuid = _options.ReplicaUuid.ToString("D");
        await _connection.ExecuteAsync($"SET @slave_uuid = '{uuid}', @replica_uuid = '{uuid}'", ct).ConfigureAwait(false);
        if (_connection.IsMariaDb)
        {
            // MARIA_SLAVE_CAPABILITY_GTID: the source sends GTID events and accepts @slave_connect_state.
            await _connection.ExecuteAsync("SET @mariadb_slave_capability = 4", ct).ConfigureAwait(false);
            if (_start.Mode == ReplicationMode.MariaDbGtid)
            {
                // The list is digits, '-' and ',' only (MariaDbGtidList.ToString), so it is safe to inline.
                await _connection.ExecuteAsync($"SET @slave_connect_state = '{_start.MariaDbGtids}'", ct).ConfigureAwait(false);
                await _connection.ExecuteAsync("SET @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0", ct).ConfigureAwait(false);
            }
        }

        if (_options.SemiSyncAck)
        {
            // MariaDB (built-in semi-sync) reads @rpl_semi_sync_slave; MySQL's semisync_source plugin (8.0.26+) reads
            // @rpl_semi_sync_replica, the older semisync_master plugin @rpl_semi_sync_slave.
            await _connection.ExecuteAsync(
                _connection.IsMariaDb ? "SET @rpl_semi_sync_slave = 1" : "SET @rpl_semi_sync_replica = 1, @rpl_semi_sync_slave = 1", ct)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the next event packet: returns the event bytes (after the OK marker and, on a semi-sync session, the
    /// 2-byte semi-sync header) and whether the source asked for an ACK of this event, or
    /// <see cref="PacketKind.EndOfStream"/> when the source sent EOF. Throws the mapped error on ERR.
    /// The returned memory is valid until the next read.
    /// </summary>
    public async ValueTask<(PacketKind Kind, ReadOnlyMemory<byte> Event, bool AckRequested)> ReadAsync(CancellationToken ct)
    {
        var packet = await _connection.ReadPacketAsync(ct).ConfigureAwait(false);
        var span = packet.Span;
        if (span.IsEmpty)
        {
            throw new MySqlProtocolException("The source sent an empty packet in the binlog stream.");
        }

        switch (span[0])
        {
            case OkMarker when _options.SemiSyncAck:
                return ReadSemiSync(packet);
            case OkMarker:
                return (PacketKind.Event, packet[1..], false);
            case EofMarker when span.Length < 9:
                return (PacketKind.EndOfStream, default, false);
            case ErrMarker:
                throw ReplicationErrors.FromServer(MySqlServerException.FromErrorPacket(span), _start, _options.Connection.UserName);
            default:
                throw new MySqlProtocolException($"Unexpected packet 0x{span[0]:X2} in the binlog stream.");
        }
    }

    /// <summary>
    /// A semi-sync replica's event packet: OK, then (when the source has semi-sync) magic 0xEF and a flag byte, then the
    /// event. The first packet decides whether headers come: it is the fake ROTATE, whose timestamp (the byte where the
    /// magic would be) is 0; MySQL without the semisync_source plugin sends no headers.
    /// </summary>
    private (PacketKind Kind, ReadOnlyMemory<byte> Event, bool AckRequested) ReadSemiSync(ReadOnlyMemory<byte> packet)
    {
        var span = packet.Span;
        _semiSyncHeaders ??= span.Length >= 3 && span[1] == ReplicationCommands.SemiSyncMagic;
        if (_semiSyncHeaders == false)
        {
            return (PacketKind.Event, packet[1..], false);
        }

        if (span.Length < 3 || span[1] != ReplicationCommands.SemiSyncMagic)
        {
            throw new MySqlProtocolException(
                $"The source sent an event packet without the semi-sync header (0x{(span.Length > 1 ? span[1] : 0):X2} instead of 0xEF) on a semi-sync session.");
        }

        return (PacketKind.Event, packet[3..], (span[2] & ReplicationCommands.SemiSyncAckRequested) != 0);
    }

    /// <summary>Sends a semi-sync ACK for everything up to <paramref name="position"/> (a new command: sequence id 0).</summary>
    public ValueTask AcknowledgeAsync(BinlogPosition position, CancellationToken ct) =>
        _connection.WriteCommandAsync(ReplicationCommands.SemiSyncAck(position), ct);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

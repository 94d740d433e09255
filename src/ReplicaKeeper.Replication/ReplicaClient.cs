using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication.Internal;

namespace ReplicaKeeper.Replication;

/// <summary>
/// A replica of a MySQL 8.0+/9.x or MariaDB 10.x source: opens binlog streams from a position, a
/// MySQL GTID set or a MariaDB GTID list, and tells where the source's binlog currently ends.
/// <code>
/// var client = new ReplicaClient(new ReplicationOptions { Connection = ConnectionOptions.Parse(cs) });
/// await foreach (var e in client.OpenStream(ReplicationCheckpoint.FromGtidSet(executed)).WithCancellation(ct))
/// {
///     ... e.Event, e.RawBytes, e.Checkpoint ...
/// }
/// </code>
/// </summary>
public sealed class ReplicaClient
{
    private readonly ReplicationOptions _options;
    private readonly SourceConnector _connect;

    public ReplicaClient(ReplicationOptions options)
        : this(options, ProtocolSourceConnection.Connector(options?.Connection ?? throw new ArgumentNullException(nameof(options))))
    {
    }

    internal ReplicaClient(ReplicationOptions options, SourceConnector connect)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _connect = connect;
    }

    public ReplicationOptions Options => _options;

    /// <summary>A stream of the source's binlog events after <paramref name="start"/> (connects when enumerated).</summary>
    public ReplicationStream OpenStream(ReplicationCheckpoint start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new ReplicationStream(_options, _connect, start);
    }

    /// <summary>
    /// Where the source's binlog ends now (SHOW BINARY LOG STATUS on MySQL 8.2+, SHOW MASTER STATUS
    /// before, @@gtid_binlog_pos on MariaDB): a GTID checkpoint when the source has GTIDs (MySQL
    /// gtid_mode=ON, always on MariaDB) unless <paramref name="preferPosition"/>, else a binlog position.
    /// Needs the REPLICATION CLIENT privilege (BINLOG MONITOR on MariaDB).
    /// </summary>
    public async Task<ReplicationCheckpoint> GetCurrentCheckpointAsync(bool preferPosition = false, CancellationToken cancellationToken = default)
    {
        var connection = await _connect(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                if (connection.IsMariaDb)
                {
                    var status = await connection.QueryAsync("SHOW MASTER STATUS", cancellationToken).ConfigureAwait(false);
                    var position = ReadPosition(status);
                    if (preferPosition)
                    {
                        return ReplicationCheckpoint.FromPosition(position);
                    }

                    var gtids = await connection.QueryAsync("SELECT @@global.gtid_binlog_pos", cancellationToken).ConfigureAwait(false);
                    var list = MariaDbGtidList.Parse(gtids[0][0] ?? "");
                    return ReplicationCheckpoint.FromMariaDbGtids(list).With(position, null, null);
                }

                IReadOnlyList<string?[]> rows;
                try
                {
                    rows = await connection.QueryAsync("SHOW BINARY LOG STATUS", cancellationToken).ConfigureAwait(false);
                }
                catch (MySqlServerException e) when (e.ErrorCode == 1064)
                {
                    rows = await connection.QueryAsync("SHOW MASTER STATUS", cancellationToken).ConfigureAwait(false);
                }

                var mysqlPosition = ReadPosition(rows);
                var mode = await connection.QueryAsync("SELECT @@global.gtid_mode", cancellationToken).ConfigureAwait(false);
                if (preferPosition || !"ON".Equals(mode[0][0], StringComparison.OrdinalIgnoreCase))
                {
                    return ReplicationCheckpoint.FromPosition(mysqlPosition);
                }

                var executed = rows[0].Length > 4 ? GtidSet.Parse(rows[0][4] ?? "") : GtidSet.Empty;
                return ReplicationCheckpoint.FromGtidSet(executed).With(mysqlPosition, null, null);
            }
            catch (MySqlServerException e) when (e.ErrorCode is 1227 or 1045)
            {
                throw new ReplicationException(
                    ReplicationErrorKind.MissingPrivilege,
                    $"The user '{_options.Connection.UserName}' may not read the source's binlog status: grant REPLICATION CLIENT " +
                    $"(BINLOG MONITOR on MariaDB). Source said: {e.ServerMessage}",
                    e);
            }
        }
    }

    private static BinlogPosition ReadPosition(IReadOnlyList<string?[]> rows)
    {
        if (rows.Count == 0 || rows[0].Length < 2 || rows[0][0] is null)
        {
            throw new ReplicationException(
                ReplicationErrorKind.ServerConfiguration,
                "The source reports no binlog status: binary logging is disabled (start it with --log-bin).");
        }

        return new BinlogPosition(rows[0][0]!, ulong.Parse(rows[0][1]!, System.Globalization.CultureInfo.InvariantCulture));
    }
}

using ReplicaKeeper.Protocol;

namespace ReplicaKeeper.Replication;

/// <summary>
/// How a <see cref="ReplicaClient"/> connects to its source and keeps the stream alive.
/// Validated by <see cref="Validate"/> (called by the client) with messages naming the bad setting.
/// </summary>
public sealed record ReplicationOptions
{
    /// <summary>The source server (host, port, user, password, TLS). The user needs REPLICATION SLAVE (and REPLICATION CLIENT for --from-now).</summary>
    public required ConnectionOptions Connection { get; init; }

    /// <summary>
    /// Server id this replica announces. Must differ from the source's and from every other replica's:
    /// the source drops an older dump connection with the same id. Default: a random id in
    /// 0x40000000..0x7FFFFFFF chosen once per options instance, so reconnects reuse it.
    /// </summary>
    public uint ServerId { get; init; } = (uint)Random.Shared.Next(0x4000_0000, int.MaxValue);

    /// <summary>UUID announced as @replica_uuid / @slave_uuid (MySQL uses it to replace a zombie dump thread on reconnect).</summary>
    public Guid ReplicaUuid { get; init; } = Guid.NewGuid();

    /// <summary>Host name shown in SHOW REPLICAS (COM_REGISTER_SLAVE); default the machine name.</summary>
    public string ReplicaHostName { get; init; } = Environment.MachineName;

    /// <summary>How often the source sends a heartbeat when it has nothing else to send.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The link is declared dead (and the client reconnects) when neither an event nor a heartbeat
    /// arrived for this many heartbeat intervals.
    /// </summary>
    public int DeadLinkHeartbeats { get; init; } = 3;

    /// <summary>
    /// Stop at the current end of the binlog instead of waiting for new events
    /// (BINLOG_DUMP_NON_BLOCK): the stream ends when the source has sent everything it has.
    /// </summary>
    public bool StopAtEnd { get; init; }

    /// <summary>
    /// Be a semi-sync replica: ask the source for semi-sync headers (MariaDB @rpl_semi_sync_slave, MySQL
    /// @rpl_semi_sync_replica / @rpl_semi_sync_slave), strip them from the events, and acknowledge each event the
    /// source flags once the consumer has reported its transaction durable with <see cref="ReplicationStream.MarkDurable"/>.
    /// The stream reads nothing after a flagged event until it has acknowledged it, so the consumer must call
    /// MarkDurable (from any thread) for every completed transaction it receives. A source without semi-sync
    /// (MySQL without the semisync_source plugin, or semi-sync disabled) never flags an event: the stream works as usual.
    /// </summary>
    public bool SemiSyncAck { get; init; }

    /// <summary>Reconnect policy (see <see cref="ReplicationRetryPolicy"/>).</summary>
    public ReconnectOptions Reconnect { get; init; } = new();

    /// <summary>
    /// Typed link notifications (connected, disconnected, reconnecting); null: none.
    /// </summary>
    public IReplicationLinkObserver? LinkObserver { get; init; }

    /// <summary>Structured log sink; never receives secrets.</summary>
    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    /// <summary>Time without events or heartbeats after which the link is dead.</summary>
    public TimeSpan DeadLinkTimeout => HeartbeatInterval * DeadLinkHeartbeats;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Connection, nameof(Connection));
        if (ServerId == 0)
        {
            throw new ArgumentException("ServerId must not be 0 (a source refuses replicas with server id 0).", nameof(ServerId));
        }

        if (HeartbeatInterval < TimeSpan.FromMilliseconds(1) || HeartbeatInterval > TimeSpan.FromSeconds(4294967))
        {
            throw new ArgumentException($"HeartbeatInterval {HeartbeatInterval} must be between 1 ms and 4294967 s.", nameof(HeartbeatInterval));
        }

        if (DeadLinkHeartbeats < 2)
        {
            throw new ArgumentException($"DeadLinkHeartbeats {DeadLinkHeartbeats} must be at least 2.", nameof(DeadLinkHeartbeats));
        }

        Reconnect.Validate();
    }
}

/// <summary>Exponential backoff with jitter between reconnect attempts.</summary>
public sealed record ReconnectOptions
{
    /// <summary>Delay before the first retry; doubles each attempt (with jitter).</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Consecutive failed attempts (without receiving anything in between) before giving up; default: never give up.</summary>
    public int MaxAttempts { get; init; } = int.MaxValue;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (InitialDelay < TimeSpan.Zero || MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"Reconnect delays must satisfy 0 <= InitialDelay ({InitialDelay}) <= MaxDelay ({MaxDelay}).", nameof(InitialDelay));
        }

        if (MaxAttempts < 0)
        {
            throw new ArgumentException($"Reconnect.MaxAttempts {MaxAttempts} must not be negative.", nameof(MaxAttempts));
        }
    }
}

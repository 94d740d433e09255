namespace ReplicaKeeper.Replication;

/// <summary>A replication session is set up (see <see cref="IReplicationLinkObserver.OnConnected"/>).</summary>
/// <param name="Server">The source as host:port (never credentials).</param>
/// <param name="ServerVersion">The source's version string from its handshake.</param>
/// <param name="IsMariaDb">True for a MariaDB source.</param>
/// <param name="From">Where this session resumes: the stream's last complete transaction.</param>
/// <param name="Session">1 for the stream's first session, 2 and up for reconnects.</param>
/// <param name="SemiSyncRequested">True when this session asked to be a semi-sync replica (<see cref="ReplicationOptions.SemiSyncAck"/>).</param>
public sealed record ReplicationConnected(string Server, string ServerVersion, bool IsMariaDb, ReplicationCheckpoint From, int Session, bool SemiSyncRequested)
{
    /// <summary>True when this session replaces a lost one.</summary>
    public bool IsReconnect => Session > 1;
}

/// <summary>The link to the source is down (see <see cref="IReplicationLinkObserver.OnDisconnected"/>).</summary>
/// <param name="Reason">What happened, for people (no credentials).</param>
/// <param name="Exception">The failure; null when the stream closed the session on purpose (end of stream, consumer stopped, re-sync).</param>
/// <param name="WasConnected">False when a connection attempt failed before a session was set up.</param>
/// <param name="Transient">True when the stream will try again (subject to <see cref="ReconnectOptions.MaxAttempts"/>).</param>
public sealed record ReplicationDisconnected(string Reason, Exception? Exception, bool WasConnected, bool Transient)
{
    /// <summary>True for a failure (as opposed to a deliberate close).</summary>
    public bool IsFailure => Exception is not null;
}

/// <summary>The stream retries after a transient failure (see <see cref="IReplicationLinkObserver.OnReconnecting"/>).</summary>
/// <param name="Attempt">1 for the first retry after something was last received.</param>
/// <param name="Delay">The backoff before the attempt.</param>
/// <param name="Cause">The failure being retried.</param>
public sealed record ReplicationReconnecting(int Attempt, TimeSpan Delay, Exception? Cause);

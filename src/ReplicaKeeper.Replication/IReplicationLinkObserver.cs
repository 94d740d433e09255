namespace ReplicaKeeper.Replication;

/// <summary>
/// Typed notifications about a replication stream's link to its source: set <see cref="ReplicationOptions.LinkObserver"/>
/// (the standby applier passes its <c>StandbyOptions.LinkObserver</c> on). Called synchronously
/// on the stream's reading path, one call at a time per stream: keep them short and non-blocking. An exception thrown by
/// an observer is logged and otherwise ignored; it never breaks the stream.
/// </summary>
public interface IReplicationLinkObserver
{
    /// <summary>A session is set up (checked, registered, dump command sent); events flow again.</summary>
    void OnConnected(ReplicationConnected connected);

    /// <summary>
    /// The link is down: a session failed or was closed, or a connection attempt failed
    /// (<see cref="ReplicationDisconnected.WasConnected"/> false). A failure carries its exception.
    /// </summary>
    void OnDisconnected(ReplicationDisconnected disconnected);

    /// <summary>After a transient failure, the stream waits <see cref="ReplicationReconnecting.Delay"/> and then tries again.</summary>
    void OnReconnecting(ReplicationReconnecting reconnecting);
}

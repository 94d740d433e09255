namespace ReplicaKeeper.Replication.Internal;

/// <summary>Calls a stream's <see cref="IReplicationLinkObserver"/> (if any) so that a failing observer never breaks the stream.</summary>
internal sealed class LinkNotifier(IReplicationLinkObserver? observer, Serilog.ILogger logger)
{
    public void Connected(ReplicationConnected connected) => Notify(static (o, e) => o.OnConnected(e), connected);

    public void Disconnected(ReplicationDisconnected disconnected) => Notify(static (o, e) => o.OnDisconnected(e), disconnected);

    public void Reconnecting(ReplicationReconnecting reconnecting) => Notify(static (o, e) => o.OnReconnecting(e), reconnecting);

    private void Notify<T>(Action<IReplicationLinkObserver, T> call, T notification)
    {
        if (observer is null)
        {
            return;
        }

        try
        {
            call(observer, notification);
        }
#pragma warning disable CA1031 // an observer's bug must not take the replication stream down
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.Warning(e, "A replication link observer failed on {Notification}", typeof(T).Name);
        }
    }
}

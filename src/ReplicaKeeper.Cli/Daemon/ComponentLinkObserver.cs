using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Feeds a component's replication link notifications (<see cref="IReplicationLinkObserver"/>) into its
/// <see cref="ComponentHealth"/>: every failed attempt counts as a link failure and marks the link down (what the
/// link-down alert and <c>replicakeeper_source_link_up</c> show); a reconnect counts and marks it up again.
/// </summary>
internal sealed class ComponentLinkObserver(ComponentHealth health, TimeProvider time) : IReplicationLinkObserver
{
    public void OnConnected(ReplicationConnected connected)
    {
        ArgumentNullException.ThrowIfNull(connected);
        if (connected.IsReconnect)
        {
            health.LinkRestored();
        }
        else
        {
            health.LinkHealthy();
        }
    }

    public void OnDisconnected(ReplicationDisconnected disconnected)
    {
        ArgumentNullException.ThrowIfNull(disconnected);
        if (disconnected.IsFailure)
        {
            health.LinkFailed(time.GetUtcNow());
        }
    }

    public void OnReconnecting(ReplicationReconnecting reconnecting)
    {
        // the failure was already counted by OnDisconnected; the delay is visible in the log
    }
}

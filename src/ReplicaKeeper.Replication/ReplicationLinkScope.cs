namespace ReplicaKeeper.Replication;

/// <summary>
/// An ambient <see cref="IReplicationLinkObserver"/> for streams opened by code that builds its own
/// <see cref="ReplicationOptions"/> (e.g. a library component that takes only a connection string): every stream opened
/// inside the scope (same async flow) without its own <see cref="ReplicationOptions.LinkObserver"/> reports to it.
/// <code>
/// using (ReplicationLinkScope.Observe(observer)) { await applier.RunAsync(ct); }
/// </code>
/// </summary>
public static class ReplicationLinkScope
{
    private static readonly AsyncLocal<IReplicationLinkObserver?> Ambient = new();

    /// <summary>The observer of the current async flow, if any.</summary>
    public static IReplicationLinkObserver? Current => Ambient.Value;

    /// <summary>Makes <paramref name="observer"/> the ambient observer until the result is disposed.</summary>
    public static IDisposable Observe(IReplicationLinkObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var previous = Ambient.Value;
        Ambient.Value = observer;
        return new Restore(previous);
    }

    private sealed class Restore(IReplicationLinkObserver? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

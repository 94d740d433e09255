using ReplicaKeeper.Archive.Offsite;

namespace ReplicaKeeper.Archive.Tests.Offsite;

/// <summary>Wraps a store, records every object put, and (optionally) fails every put after the first <see cref="FailAfterPuts"/>, like a dropped connection.</summary>
internal sealed class CountingStore(IOffsiteStore inner) : IOffsiteStore
{
    public List<string> Puts { get; } = [];

    public int? FailAfterPuts { get; init; }

    public string Target => inner.Target;

    public async Task PutAsync(string name, Stream content, string sha256, CancellationToken cancellationToken)
    {
        if (FailAfterPuts is { } limit && Puts.Count >= limit)
        {
            throw new OffsiteException($"connection lost while uploading {name} (test)");
        }

        await inner.PutAsync(name, content, sha256, cancellationToken);
        Puts.Add(name);
    }

    public Task<OffsiteObject?> HeadAsync(string name, CancellationToken cancellationToken) => inner.HeadAsync(name, cancellationToken);

    public IAsyncEnumerable<OffsiteObject> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) => inner.OpenReadAsync(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);
}

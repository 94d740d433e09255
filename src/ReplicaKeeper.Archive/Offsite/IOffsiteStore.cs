namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// An off-site object store holding a copy of the archive. Object names are relative to the store's
/// prefix and use the archive's own layout: <c>manifest.jsonl</c> and <c>sealed/&lt;stored name&gt;</c>.
/// A put replaces an object whole: readers see the old or the new content, never a mix.
/// </summary>
public interface IOffsiteStore
{
    /// <summary>Where the copy lives, for messages and the upload ledger (never contains credentials).</summary>
    string Target { get; }

    /// <summary>Uploads <paramref name="content"/> (seekable, read from its current position) as <paramref name="name"/>, recording its SHA-256.</summary>
    Task PutAsync(string name, Stream content, string sha256, CancellationToken cancellationToken);

    /// <summary>Size and recorded SHA-256 of one object, or null when it does not exist.</summary>
    Task<OffsiteObject?> HeadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every object under the prefix (sizes only; <see cref="OffsiteObject.Sha256"/> is null).</summary>
    IAsyncEnumerable<OffsiteObject> ListAsync(CancellationToken cancellationToken);

    /// <summary>Opens an object's content for reading; throws <see cref="OffsiteException"/> when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes an object (no error when it does not exist).</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>One stored object: its name relative to the prefix, size, and the SHA-256 recorded at upload (when asked for).</summary>
public sealed record OffsiteObject(string Name, long Size, string? Sha256);

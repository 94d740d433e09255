using System.Text.Json;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// What has been copied to which off-site target (DIR/offsite.json, replaced atomically after every
/// object): object name, size and SHA-256, and how many manifest lines the remote manifest holds.
/// A ledger for another target counts as empty. The ledger is a shortcut, not the truth: an object
/// it does not list is looked up in the store before being uploaded again.
/// </summary>
public sealed record OffsiteLedger
{
    public const string FileName = "offsite.json";

    public string Target { get; init; } = "";

    public Dictionary<string, OffsiteLedgerObject> Objects { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Lines of manifest.jsonl the remote copy holds, and the hash of the last of them.</summary>
    public int ManifestLines { get; init; }

    public string? ManifestHeadHash { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public static string PathIn(ArchiveLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return Path.Combine(layout.Root, FileName);
    }

    public static async ValueTask<OffsiteLedger> ReadAsync(ArchiveLayout layout, string target, CancellationToken cancellationToken)
    {
        var path = PathIn(layout);
        if (!File.Exists(path))
        {
            return new OffsiteLedger { Target = target };
        }

        try
        {
            await using var stream = File.OpenRead(path);
            var ledger = await JsonSerializer.DeserializeAsync<OffsiteLedger>(stream, ArchiveJson.Options, cancellationToken);
            return ledger is not null && ledger.Target == target
                ? ledger with { Objects = new Dictionary<string, OffsiteLedgerObject>(ledger.Objects, StringComparer.Ordinal) }
                : new OffsiteLedger { Target = target };
        }
        catch (JsonException)
        {
            return new OffsiteLedger { Target = target }; // rebuilt from the store's own record of each object
        }
    }

    public bool Has(string name, string sha256) =>
        Objects.TryGetValue(name, out var recorded) && string.Equals(recorded.Sha256, sha256, StringComparison.Ordinal);

    public async ValueTask WriteAsync(ArchiveLayout layout, CancellationToken cancellationToken) =>
        await AtomicFile.WriteAllBytesAsync(PathIn(layout), JsonSerializer.SerializeToUtf8Bytes(this with { UpdatedAt = DateTimeOffset.UtcNow }, ArchiveJson.Indented), cancellationToken);
}

/// <summary>One object the ledger knows is in the store.</summary>
public sealed record OffsiteLedgerObject(long Size, string Sha256, DateTimeOffset UploadedAt);

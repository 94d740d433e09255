using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>Object names of the off-site copy: the archive's own layout under the store's prefix.</summary>
public static class OffsiteNames
{
    public const string Manifest = "manifest.jsonl";
    public const string SealedFolder = "sealed/";

    public static string Sealed(string storedName) => SealedFolder + storedName;

    // Snapshot lines (kinds "snapshot" / "retire-snapshot") name their stored file relative to the archive root.
    private const string SnapshotKind = "snapshot";
    private const string SnapshotRetireKind = "retire-snapshot";

    /// <summary>
    /// The object a manifest entry's stored file is copied to (its path relative to the archive root),
    /// or null when the entry names no file of its own (retire lines).
    /// </summary>
    public static string? For(ManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry switch
        {
            { Kind: ManifestEntry.SegmentKind, StoredName: { } stored } => Sealed(stored),
            { Kind: SnapshotKind, StoredName: { } stored } => stored.Replace('\\', '/'),
            _ => null,
        };
    }

    /// <summary>Keys (kind + name) of everything the manifest's retire lines say retention deleted.</summary>
    public static HashSet<string> Retired(IEnumerable<ManifestEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Select(e => e.Kind switch
        {
            ManifestEntry.RetireKind => "segment:" + e.Segment,
            SnapshotRetireKind => "snapshot:" + e.Segment,
            _ => null,
        }).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether a segment or snapshot entry has been retired, given <see cref="Retired"/>.</summary>
    public static bool IsRetired(ManifestEntry entry, HashSet<string> retired)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(retired);
        return retired.Contains((entry.Kind == SnapshotKind ? "snapshot:" : "segment:") + entry.Segment);
    }

    /// <summary>Local path of the file an object name (from <see cref="For"/>) copies.</summary>
    public static string LocalPath(ArchiveLayout layout, string name)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith(SealedFolder, StringComparison.Ordinal) ? layout.SealedPath(name[SealedFolder.Length..]) : Path.Combine(layout.Root, name);
    }
}

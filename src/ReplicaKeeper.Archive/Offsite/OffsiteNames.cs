using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>Object names of the off-site copy: the archive's own layout under the store's prefix.</summary>
public static class OffsiteNames
{
    public const string Manifest = "manifest.jsonl";
    public const string SealedFolder = "sealed/";

    public static string Sealed(string storedName) => SealedFolder + storedName;

    /// <summary>
    /// The object a manifest entry's stored file is copied to, or null when the entry names no file
    /// of its own (retire lines). Entry kinds other than segments are not copied yet.
    /// </summary>
    public static string? For(ManifestEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry is { Kind: ManifestEntry.SegmentKind, StoredName: { } stored } ? Sealed(stored) : null;
    }

    /// <summary>Local path of the file an object name (from <see cref="For"/>) copies.</summary>
    public static string LocalPath(ArchiveLayout layout, string name)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith(SealedFolder, StringComparison.Ordinal) ? layout.SealedPath(name[SealedFolder.Length..]) : Path.Combine(layout.Root, name);
    }
}

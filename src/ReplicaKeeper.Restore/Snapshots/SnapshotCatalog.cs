using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// The snapshots an archive holds, oldest first, read from the manifest (snapshot lines minus retired ones), and how
/// to open one as its original stream.
/// </summary>
public static class SnapshotCatalog
{
    /// <summary>Lists the archive's snapshots, oldest first.</summary>
    public static async Task<IReadOnlyList<SnapshotInfo>> ReadAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var manifest = await Manifest.ReadAsync(layout, cancellationToken).ConfigureAwait(false);
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.SnapshotRetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        return manifest.Entries
            .Where(e => e.Kind == ManifestEntry.SnapshotKind && e.Snapshot is not null && !retired.Contains(e.Segment))
            .Select(e => ToInfo(layout, e))
            .OrderBy(s => s.TakenAt)
            .ToList();
    }

    /// <summary>
    /// Opens a snapshot as the stream that was written (decrypted, decompressed), hashing it as it is read: the
    /// stored file's size and SHA-256 are checked first (a tampered file is refused before anything is loaded).
    /// </summary>
    public static async Task<Stream> OpenAsync(SnapshotInfo snapshot, ArchiveKey? key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await CheckStoredAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (snapshot.IsEncrypted && key is null)
        {
            throw new ArchiveKeyException(
                $"snapshot {snapshot.Id} is encrypted (key id {snapshot.KeyId}) and no archive key is configured; pass --key-file or set {ArchiveKey.DefaultEnvironmentVariable}");
        }

        if (snapshot.IsEncrypted && key!.KeyId != snapshot.KeyId)
        {
            throw new ArchiveKeyException($"wrong archive key for snapshot {snapshot.Id}: it was encrypted with key id {snapshot.KeyId}, the configured key has id {key.KeyId}");
        }

        var file = new FileStream(snapshot.StoredPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return SegmentCodec.OpenReader(file, key, snapshot.Id);
    }

    /// <summary>Checks the stored file against the manifest (exists, size, SHA-256); throws <see cref="SnapshotFormatException"/> naming the snapshot.</summary>
    public static async Task CheckStoredAsync(SnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!File.Exists(snapshot.StoredPath))
        {
            throw new SnapshotFormatException($"snapshot {snapshot.Id}: its file {snapshot.StoredPath} is missing");
        }

        var size = new FileInfo(snapshot.StoredPath).Length;
        if (size != snapshot.StoredSize)
        {
            throw new SnapshotFormatException($"snapshot {snapshot.Id} is damaged: its file is {size} bytes, the manifest recorded {snapshot.StoredSize}");
        }

        await using var stream = File.OpenRead(snapshot.StoredPath);
        var sha = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        if (!string.Equals(sha, snapshot.StoredSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new SnapshotFormatException($"snapshot {snapshot.Id} is damaged or was changed: SHA-256 {sha[..16]}… differs from the manifest's {snapshot.StoredSha256?[..Math.Min(16, snapshot.StoredSha256.Length)]}…");
        }
    }

    internal static SnapshotInfo ToInfo(ArchiveLayout layout, ManifestEntry entry)
    {
        var facts = entry.Snapshot ?? throw new ArgumentException("not a snapshot line", nameof(entry));
        var origin = Enum.TryParse<SnapshotPositionOrigin>(facts.PositionOrigin, out var parsed) ? parsed : SnapshotPositionOrigin.AppliedPosition;
        var position = new SnapshotPosition(
            facts.SourceFile,
            facts.SourceOffset,
            entry.IsMariaDb ? null : facts.Gtids,
            entry.IsMariaDb ? facts.Gtids : null,
            facts.LastTransaction,
            origin);
        return new SnapshotInfo(
            entry.Segment,
            facts.TakenAt,
            position,
            facts.SourceCommitTime,
            facts.Tables,
            facts.Rows,
            entry.OriginalSize,
            entry.StoredSize,
            Path.Combine(layout.Root, entry.StoredName ?? throw new ArgumentException("snapshot line names no stored file", nameof(entry))),
            entry.IsMariaDb,
            entry.ServerVersion,
            entry.KeyId,
            entry.OriginalSha256,
            entry.StoredSha256);
    }
}

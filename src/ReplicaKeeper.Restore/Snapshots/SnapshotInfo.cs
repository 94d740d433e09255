namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// One snapshot in the archive, as <see cref="SnapshotCatalog"/> lists it: its id, when it was taken, the source
/// position it corresponds to, the commit time of its last source transaction (when known; otherwise the time the
/// standby applied it, which is never earlier), what it holds and how it is stored.
/// </summary>
public sealed record SnapshotInfo(
    string Id,
    DateTimeOffset TakenAt,
    SnapshotPosition Position,
    DateTimeOffset? SourceCommitTime,
    int Tables,
    long Rows,
    long OriginalSize,
    long StoredSize,
    string StoredPath,
    bool IsMariaDb,
    string? ServerVersion,
    string? KeyId,
    string? OriginalSha256,
    string? StoredSha256)
{
    public bool IsEncrypted => KeyId is not null;

    public override string ToString() =>
        $"{Id} taken {TakenAt:yyyy-MM-dd HH:mm:ss} UTC at {Position} ({Tables} tables, {Rows} rows, {StoredSize / 1048576.0:F1} MiB stored)";
}

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

    /// <summary>As returned by <see cref="SnapshotTaker.TakeAsync"/>: how many connections read the tables (null when listed from the manifest).</summary>
    public int? ReadConnections { get; init; }

    /// <summary>As returned by <see cref="SnapshotTaker.TakeAsync"/>: why fewer connections than asked for read the tables.</summary>
    public string? ParallelFallback { get; init; }

    public override string ToString() =>
        $"{Id} taken {TakenAt:yyyy-MM-dd HH:mm:ss} UTC at {Position} ({Tables} tables, {Rows} rows, {StoredSize / 1048576.0:F1} MiB stored)";
}

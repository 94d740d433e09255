using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>
/// What a restore will do: load <see cref="Snapshot"/> (null: start from an empty target), then replay the checked,
/// unbroken run of <see cref="Segments"/> (total size for progress) up to <see cref="Target"/>, leaving out
/// <see cref="SkipGtids"/>. <see cref="SnapshotChoice"/> says why this snapshot (or none) was chosen.
/// </summary>
public sealed record RestorePlan(
    IReadOnlyList<ArchivedSegment> Segments,
    long TotalBytes,
    IReadOnlySet<string> SkipGtids,
    RestoreTarget Target,
    SnapshotInfo? Snapshot = null,
    string? SnapshotChoice = null,
    RestoreOptions? Options = null);

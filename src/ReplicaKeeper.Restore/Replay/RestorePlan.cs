using ReplicaKeeper.Restore.Archive;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>What a restore will replay: the checked, unbroken run of segments and their total size (for progress).</summary>
public sealed record RestorePlan(IReadOnlyList<ArchivedSegment> Segments, long TotalBytes, IReadOnlySet<string> SkipGtids, RestoreTarget Target);

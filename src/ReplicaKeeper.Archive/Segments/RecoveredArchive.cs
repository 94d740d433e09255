namespace ReplicaKeeper.Archive.Segments;

/// <summary>
/// What start-up recovery found and did: the raw segment to keep appending to (if any), closed
/// raw segments still to be sealed, the position to ask the master for, and any tail it cut off.
/// </summary>
public sealed record RecoveredArchive(
    SegmentScan? Active,
    IReadOnlyList<string> PendingSeal,
    string? ResumeFile,
    long ResumePosition,
    DurablePosition? Durable,
    long TruncatedBytes,
    string? TruncationReason,
    string? LastSealedSegment);

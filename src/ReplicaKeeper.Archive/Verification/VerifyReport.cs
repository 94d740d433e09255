namespace ReplicaKeeper.Archive.Verification;

/// <summary>Outcome of <see cref="ArchiveVerifier"/>: problems found and what was checked.</summary>
public sealed record VerifyReport(
    IReadOnlyList<ArchiveProblem> Problems,
    IReadOnlyList<string> Notes,
    int SealedSegments,
    int RawSegments,
    long OriginalBytes,
    long StoredBytes,
    long Events,
    long Transactions,
    string? FirstSegment,
    string? LastSegment,
    string? LastGtids)
{
    public bool IsValid => Problems.Count == 0;
}

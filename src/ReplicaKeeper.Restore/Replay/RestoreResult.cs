using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>What a restore applied: the last transaction (GTID, commit time, end position), counts and duration.</summary>
public sealed record RestoreResult(
    string? LastGtid,
    DateTimeOffset? LastCommitTime,
    BinlogPosition? LastPosition,
    long TransactionsApplied,
    long TransactionsSkipped,
    IReadOnlyList<string> SkippedGtids,
    TimeSpan Duration,
    RestoreTarget Target)
{
    /// <summary>"restored to GTID 0-1-42 (2026-11-25 14:03:26.000000 UTC, bin.000002:1234): 42 transactions applied, 1 skipped".</summary>
    public string Describe() =>
        LastGtid is null && LastPosition is null
            ? $"restored nothing: no archived transaction is before the target ({Target})"
            : $"restored to {(LastGtid is null ? "" : "GTID " + LastGtid + " ")}(committed {LastCommitTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC, ends at {LastPosition}): "
              + $"{TransactionsApplied} transactions applied, {TransactionsSkipped} skipped{(SkippedGtids.Count > 0 ? " (" + string.Join(", ", SkippedGtids) + ")" : "")} in {Duration.TotalSeconds:F1} s";
}

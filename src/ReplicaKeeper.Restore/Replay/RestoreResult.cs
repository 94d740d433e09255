using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>What a restore applied: the snapshot it started from, the last transaction (GTID, commit time, end position), counts and duration.</summary>
public sealed record RestoreResult(
    string? LastGtid,
    DateTimeOffset? LastCommitTime,
    BinlogPosition? LastPosition,
    long TransactionsApplied,
    long TransactionsSkipped,
    IReadOnlyList<string> SkippedGtids,
    TimeSpan Duration,
    RestoreTarget Target,
    SnapshotInfo? Snapshot = null)
{
    /// <summary>Scheduled events not ENABLED on the target after the replay (from the snapshot, or created by the replay), by schema and name.</summary>
    public IReadOnlyList<DisabledEvent> DisabledEvents { get; init; } = [];

    /// <summary>"restored to GTID 0-1-42 (committed …, ends at bin.000002:1234) from snapshot snap-…: 42 transactions applied, 1 skipped".</summary>
    public string Describe()
    {
        var from = Snapshot is null ? "from the archive's first segment" : $"from snapshot {Snapshot.Id} (taken {Snapshot.TakenAt:yyyy-MM-dd HH:mm:ss} UTC at {Snapshot.Position})";
        if (LastGtid is null && LastPosition is null)
        {
            return Snapshot is null
                ? $"restored nothing: no archived transaction is before the target ({Target})"
                : $"restored {from}; no archived transaction after it is before the target ({Target})";
        }

        return $"restored to {(LastGtid is null ? "" : "GTID " + LastGtid + " ")}(committed {LastCommitTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC, ends at {LastPosition}) {from}: "
            + $"{TransactionsApplied} transactions replayed, {TransactionsSkipped} skipped{(SkippedGtids.Count > 0 ? " (" + string.Join(", ", SkippedGtids) + ")" : "")} in {Duration.TotalSeconds:F1} s";
    }
}

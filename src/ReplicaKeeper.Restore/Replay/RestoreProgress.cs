namespace ReplicaKeeper.Restore.Replay;

/// <summary>Which part of a restore is running.</summary>
public enum RestorePhase
{
    /// <summary>Replaying archived transactions: bytes are binlog bytes.</summary>
    Replay,

    /// <summary>Loading the snapshot: "bytes" are rows loaded of the snapshot's rows.</summary>
    Snapshot,
}

/// <summary>
/// Progress of a restore: in <see cref="RestorePhase.Replay"/>, bytes of binlog consumed of the planned total and
/// transactions applied so far; in <see cref="RestorePhase.Snapshot"/>, rows loaded of the snapshot's total.
/// </summary>
public readonly record struct RestoreProgress(long BytesDone, long BytesTotal, long Transactions, string? LastGtid, DateTimeOffset? LastTime, RestorePhase Phase = RestorePhase.Replay);

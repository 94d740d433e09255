namespace ReplicaKeeper.Restore.Replay;

/// <summary>Progress of a replay: bytes of binlog consumed of the planned total, transactions applied so far.</summary>
public readonly record struct RestoreProgress(long BytesDone, long BytesTotal, long Transactions, string? LastGtid, DateTimeOffset? LastTime);

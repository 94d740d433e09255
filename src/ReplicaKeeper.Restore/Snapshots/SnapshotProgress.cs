namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>Progress of taking or loading a snapshot: the table at hand, tables and rows done.</summary>
public readonly record struct SnapshotProgress(string? Table, int TablesDone, int TablesTotal, long Rows);

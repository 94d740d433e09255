namespace ReplicaKeeper.Failover.Gates;

/// <summary>
/// One transaction in the standby's own binlog, as <c>SHOW BINLOG EVENTS</c> describes it: where it starts, its GTID,
/// whether it wrote ReplicaKeeper's position tables (<c>replicakeeper.*</c>: the applier's signature) and whether it is
/// a DDL statement.
/// </summary>
public sealed record StandbyBinlogTransaction(string File, ulong Position, string? Gtid, bool WritesPositionTables, bool IsDdl, string? Statement);

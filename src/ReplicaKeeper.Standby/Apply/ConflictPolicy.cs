namespace ReplicaKeeper.Standby.Apply;

/// <summary>What the applier does when a row is not where the source's change says it is.</summary>
public enum ConflictPolicy
{
    /// <summary>Stop with a <see cref="StandbyConflictException"/> naming the GTID, table and key (default).</summary>
    Stop,

    /// <summary>Leave the row as it is and go on (logged as a warning).</summary>
    Skip,

    /// <summary>Make the row what the source says: INSERT replaces, a missing row for UPDATE is inserted, a missing row for DELETE is ignored.</summary>
    Overwrite,
}

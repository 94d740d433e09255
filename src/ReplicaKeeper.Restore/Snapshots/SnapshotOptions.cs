using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>What <see cref="SnapshotTaker"/> snapshots.</summary>
public sealed record SnapshotOptions
{
    /// <summary>Connection string of the standby the snapshot is taken from (read-only use; the master is never touched).</summary>
    public required string StandbyConnectionString { get; init; }

    /// <summary>The row of the standby's <c>replicakeeper.applied_position</c> that names the source position.</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    /// <summary>Rows per batch record (and so per INSERT when loading), bounded by <see cref="BatchBytes"/> too.</summary>
    public int BatchRows { get; init; } = 2000;

    /// <summary>Bytes of row data per batch record.</summary>
    public int BatchBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Connections that read tables at once, all inside snapshots of one state (see <see cref="SnapshotSessions"/>);
    /// null: min(4, tables). 1 reads every table in one snapshot transaction, one after the other.
    /// </summary>
    public int? Connections { get; init; }

    /// <summary>How often to try to start the parallel snapshots at one state before falling back to one connection.</summary>
    public int ParallelAttempts { get; init; } = 20;

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;
}

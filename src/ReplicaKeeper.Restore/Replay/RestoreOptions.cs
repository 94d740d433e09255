using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>How <see cref="PointInTimeRestore"/> picks its starting point.</summary>
public sealed record RestoreOptions
{
    /// <summary>Start from the newest snapshot at or before the target (default). False: replay the archive from its first segment.</summary>
    public bool UseSnapshots { get; init; } = true;

    /// <summary>
    /// Without a snapshot, replay from the first segment even though the archive does not begin at the master's first
    /// binlog (its first segment names earlier GTIDs): only right when the target already holds the state before it,
    /// or nothing before it matters (CLI <c>--from-archive-start</c>).
    /// </summary>
    public bool AllowArchiveWithoutBase { get; init; }

    /// <summary>The target's <c>replicakeeper.applied_position</c> row the replay writes.</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    /// <summary>
    /// What replay does when a row change does not fit the target (e.g. a later transaction updates a row that a
    /// skipped one inserted): stop naming GTID, table and key (default), skip the change, or overwrite.
    /// </summary>
    public ConflictPolicy OnConflict { get; init; } = ConflictPolicy.Stop;

    public static RestoreOptions Default { get; } = new();
}

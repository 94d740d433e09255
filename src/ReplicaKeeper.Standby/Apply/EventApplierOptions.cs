using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>Settings of <see cref="EventApplier"/>. The target's flavour (MySQL or MariaDB) is detected when it opens.</summary>
public sealed record EventApplierOptions
{
    /// <summary>Target connection string; the user needs all privileges on the replicated schemas and on <c>replicakeeper</c>.</summary>
    public required string TargetConnectionString { get; init; }

    /// <summary>The row of <c>replicakeeper.applied_position</c> (and of <c>applied_ddl</c>) this applier owns.</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    public ConflictPolicy OnConflict { get; init; } = ConflictPolicy.Stop;

    /// <summary>
    /// Where the target stands when its position table has no row for <see cref="Channel"/> (null: an empty position;
    /// every transaction handed in is applied).
    /// </summary>
    public StandbyPosition? StartPosition { get; init; }

    /// <summary>
    /// Group commit: up to this many complete source transactions share one target commit (and one write of the
    /// position row), which saves a log flush per transaction. Still exactly once: the position commits with the data.
    /// 1 commits every source transaction on its own. Call <see cref="EventApplier.FlushAsync"/> when the input pauses.
    /// </summary>
    public int MaxTransactionsPerCommit { get; init; } = 100;

    /// <summary>
    /// True (the default): the statements of a group commit are sent together, one multi-statement round trip per
    /// up to 2,000 statements, with every statement's affected-row count checked
    /// before the commit. Values are typed MySqlConnector parameters either way. False: one prepared statement (binary
    /// protocol) per row change and round trip, the slower reference path.
    /// </summary>
    public bool BatchStatements { get; init; } = true;

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetConnectionString, nameof(TargetConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Channel, nameof(Channel));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTransactionsPerCommit, 1, nameof(MaxTransactionsPerCommit));
    }
}

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

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetConnectionString, nameof(TargetConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Channel, nameof(Channel));
    }
}

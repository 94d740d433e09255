namespace ReplicaKeeper.Standby.Positions;

/// <summary>
/// One row of <c>replicakeeper.applied_position</c>: what a channel has applied to the standby.
/// </summary>
/// <param name="Channel">Channel name (one row per source).</param>
/// <param name="Position">Everything applied so far (source identities).</param>
/// <param name="LastTransaction">GTID or file:offset of the last applied source transaction, for messages.</param>
/// <param name="IdempotentUntil">
/// Seeding window end: transactions up to this position may already be in the seeded data (the snapshot could not be
/// tied to one exact position) and are applied idempotently (overwrite, ignore missing rows). Null once past it.
/// </param>
/// <param name="PendingDdl">A DDL transaction started but not yet recorded (crash between the DDL and its record).</param>
/// <param name="PendingDdlMarker">How to tell whether <paramref name="PendingDdl"/> ran: the standby GTID it was written with.</param>
/// <param name="UpdatedAt">When the row was last written (UTC).</param>
public sealed record AppliedPosition(
    string Channel,
    StandbyPosition Position,
    string? LastTransaction,
    StandbyPosition? IdempotentUntil,
    string? PendingDdl,
    string? PendingDdlMarker,
    DateTime UpdatedAt);

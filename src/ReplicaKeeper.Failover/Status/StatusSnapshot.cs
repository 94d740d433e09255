namespace ReplicaKeeper.Failover.Status;

/// <summary>
/// The daemon's JSON status (GET /status on its local HTTP endpoint), read by <c>replicakeeper status</c> and by the
/// alert rules. Serialized with <see cref="StatusJson"/> (camelCase). Every part is optional: a daemon that does not
/// run a component leaves it null.
/// </summary>
public sealed record StatusSnapshot(
    DateTimeOffset TakenAt,
    ArchiveStatusView? Archive,
    ApplierStatusView? Applier,
    DrillStatusView? LastDrill,
    SnapshotStatusView? LastSnapshot,
    IReadOnlyList<string> Errors);

/// <summary>The archiver: durable end, how far behind the master, and any gaps found by verification.</summary>
public sealed record ArchiveStatusView(
    bool Running,
    string? DurableFile,
    long? DurableOffset,
    string? DurableGtids,
    double? LagSeconds,
    long? LagBytes,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<string> Gaps);

/// <summary>The standby applier: whether it runs, what it applied, and its last error.</summary>
public sealed record ApplierStatusView(
    bool Running,
    string? AppliedPosition,
    double? LagSeconds,
    double? TransactionsPerSecond,
    DateTimeOffset? LastAppliedAt,
    string? LastError);

/// <summary>The last restore drill.</summary>
public sealed record DrillStatusView(DateTimeOffset FinishedAt, bool Succeeded, string? Detail);

/// <summary>The last base snapshot.</summary>
public sealed record SnapshotStatusView(DateTimeOffset TakenAt, string? Position, long? Bytes);

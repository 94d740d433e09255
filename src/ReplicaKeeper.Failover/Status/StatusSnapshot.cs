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
    IReadOnlyList<string> Errors)
{
    /// <summary>The daemon process itself (null when the snapshot does not come from a daemon).</summary>
    public DaemonStatusView? Daemon { get; init; }

    /// <summary>Each hosted component (archiver, standby applier, retention, ...): up or down, errors, restarts, reconnects.</summary>
    public IReadOnlyList<ComponentStatusView> Components { get; init; } = [];

    /// <summary>The alerts that hold right now (one per kind; de-duplicated by the daemon).</summary>
    public IReadOnlyList<string> ActiveAlerts { get; init; } = [];
}

/// <summary>The daemon process: when it started and whether the run before it ended without a clean shutdown.</summary>
public sealed record DaemonStatusView(DateTimeOffset StartedAt, string Version, bool PreviousRunCrashed, long UncleanRestarts);

/// <summary>
/// One hosted component. <paramref name="Up"/> is false while it is failed and waiting to restart;
/// <paramref name="Reconnects"/> counts successful reconnects of its source link, <paramref name="LinkFailures"/> failed attempts.
/// </summary>
public sealed record ComponentStatusView(
    string Name,
    bool Up,
    DateTimeOffset? Since,
    long Errors,
    long Restarts,
    long Reconnects,
    long LinkFailures,
    string? LastError);

/// <summary>The archiver: durable end, how far behind the master, and any gaps found by verification.</summary>
public sealed record ArchiveStatusView(
    bool Running,
    string? DurableFile,
    long? DurableOffset,
    string? DurableGtids,
    double? LagSeconds,
    long? LagBytes,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<string> Gaps)
{
    /// <summary>Since when the source link has been failing (null: connected). Drives the SourceUnreachable alert.</summary>
    public DateTimeOffset? LinkDownSince { get; init; }
}

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

using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>One table copied by a seed.</summary>
public sealed record SeededTable(TableName Table, long Rows, long Bytes);

/// <summary>A source object a seed did not copy, and why.</summary>
/// <param name="Kind">"trigger", "event", "view", "procedure", "function", "sequence", ...</param>
/// <param name="Name">schema.name.</param>
/// <param name="Reason">Why it was not copied (and what to do).</param>
public sealed record SkippedObject(string Kind, string Name, string Reason)
{
    public override string ToString() => $"{Kind} {Name}: {Reason}";
}

/// <summary>What <see cref="StandbySeeder"/> did.</summary>
/// <param name="Position">The position written to replicakeeper.applied_position: the applier resumes right after it.</param>
/// <param name="IdempotentUntil">MySQL inexact snapshot: the end of the window the applier applies idempotently (null when exact).</param>
/// <param name="Tables">Tables copied, in copy order.</param>
/// <param name="Views">Views created (schema.name).</param>
/// <param name="Routines">Stored procedures and functions created (schema.name).</param>
/// <param name="Triggers">Triggers created, guarded (schema.name): they do not fire for the applier's rows.</param>
/// <param name="Skipped">Objects not copied.</param>
/// <param name="Elapsed">Wall time of the seed.</param>
public sealed record SeedReport(
    StandbyPosition Position,
    StandbyPosition? IdempotentUntil,
    IReadOnlyList<SeededTable> Tables,
    IReadOnlyList<string> Views,
    IReadOnlyList<string> Routines,
    IReadOnlyList<string> Triggers,
    IReadOnlyList<SkippedObject> Skipped,
    TimeSpan Elapsed)
{
    /// <summary>The snapshot corresponds to exactly <see cref="Position"/>.</summary>
    public bool IsExact => IdempotentUntil is null;

    public long TotalRows => Tables.Sum(t => t.Rows);

    public long TotalBytes => Tables.Sum(t => t.Bytes);
}

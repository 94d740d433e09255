using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>Settings of <see cref="StandbySeeder"/> (<c>replicakeeper standby init</c>).</summary>
public sealed record StandbySeedOptions
{
    /// <summary>Source connection string; the user needs SELECT and SHOW VIEW on the copied schemas and REPLICATION CLIENT.</summary>
    public required string SourceConnectionString { get; init; }

    /// <summary>Standby connection string; the user needs all privileges on the copied schemas and on <c>replicakeeper</c>.</summary>
    public required string TargetConnectionString { get; init; }

    /// <summary>The position channel the seed's position is written to (the one <c>replicakeeper standby</c> then resumes).</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    /// <summary>Schemas copied whole (tables, views, routines). Empty together with <see cref="Tables"/>: every schema.</summary>
    public IReadOnlyList<string> Schemas { get; init; } = [];

    /// <summary>Single tables copied (in addition to <see cref="Schemas"/>).</summary>
    public IReadOnlyList<TableName> Tables { get; init; } = [];

    /// <summary>Seed even when the target already holds the objects or a position for the channel: they are dropped first.</summary>
    public bool Force { get; init; }

    /// <summary>Rows per multi-row INSERT (at most; <see cref="ChunkBytes"/> may end a chunk earlier).</summary>
    public int ChunkRows { get; init; } = 1000;

    /// <summary>Approximate value bytes per multi-row INSERT (also capped by half the target's max_allowed_packet).</summary>
    public int ChunkBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>MySQL: snapshots tried for an exact position before an inexact (bracketed) one is accepted.</summary>
    public int SnapshotAttempts { get; init; } = 20;

    /// <summary>Receives progress after every chunk and at the end of every table.</summary>
    public IProgress<SeedProgress>? Progress { get; init; }

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(SourceConnectionString, nameof(SourceConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetConnectionString, nameof(TargetConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Channel, nameof(Channel));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkRows, 1, nameof(ChunkRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 1024, nameof(ChunkBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(SnapshotAttempts, 1, nameof(SnapshotAttempts));
        foreach (var schema in Schemas)
        {
            if (TableName.IsExcludedSchema(schema))
            {
                throw new ArgumentException($"Schema '{schema}' is a system schema (or replicakeeper's own) and is never copied.", nameof(Schemas));
            }
        }

        foreach (var table in Tables)
        {
            if (TableName.IsExcludedSchema(table.Schema))
            {
                throw new ArgumentException($"Table {table} is in a system schema (or replicakeeper's own) and is never copied.", nameof(Tables));
            }
        }
    }
}

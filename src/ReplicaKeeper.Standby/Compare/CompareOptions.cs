using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Compare;

/// <summary>How the tables are compared.</summary>
public enum CompareMode
{
    /// <summary>CHECKSUM TABLE on both sides; a differing table is then narrowed down by row hashes.</summary>
    Checksum,

    /// <summary>Chunked row hashes along the primary key (for large tables; names the differing keys).</summary>
    Rows,
}

/// <summary>What <see cref="StandbyComparer"/> compares and how long it waits for the standby to catch up.</summary>
public sealed record CompareOptions
{
    public required string SourceConnectionString { get; init; }

    public required string TargetConnectionString { get; init; }

    /// <summary>Tables to compare; empty = every base table outside the system schemas and <c>replicakeeper</c>.</summary>
    public IReadOnlyList<TableName> Tables { get; init; } = [];

    public CompareMode Mode { get; init; } = CompareMode.Checksum;

    /// <summary>Rows per chunk in row-hash mode.</summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>How long to wait for the standby's applied position to reach the source's position.</summary>
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Position-table channel of the standby.</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    /// <summary>How many differing keys are named per table.</summary>
    public int MaxReportedKeys { get; init; } = 10;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(SourceConnectionString, nameof(SourceConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetConnectionString, nameof(TargetConnectionString));
        if (ChunkSize < 1)
        {
            throw new ArgumentException($"ChunkSize {ChunkSize} must be at least 1.", nameof(ChunkSize));
        }

        if (WaitTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"WaitTimeout {WaitTimeout} must not be negative.", nameof(WaitTimeout));
        }
    }
}

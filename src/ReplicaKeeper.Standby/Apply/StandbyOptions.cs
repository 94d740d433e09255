using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>Settings of <see cref="StandbyApplier"/>.</summary>
public sealed record StandbyOptions
{
    /// <summary>Source connection string (MySqlConnector syntax); the user needs REPLICATION SLAVE and REPLICATION CLIENT.</summary>
    public required string SourceConnectionString { get; init; }

    /// <summary>Standby connection string; the user needs all privileges on the replicated schemas and on <c>replicakeeper</c>.</summary>
    public required string TargetConnectionString { get; init; }

    public string Channel { get; init; } = PositionStore.DefaultChannel;

    public ConflictPolicy OnConflict { get; init; } = ConflictPolicy.Stop;

    /// <summary>
    /// Where to start when the standby has no applied position yet (null: refuse, run <c>standby init</c> first).
    /// An empty GTID set / list starts at the beginning of the source's binlogs.
    /// </summary>
    public StandbyPosition? StartPosition { get; init; }

    /// <summary>Stop at the current end of the source's binlog instead of waiting for more (tests, catch-up runs).</summary>
    public bool StopAtEnd { get; init; }

    /// <summary>Server id announced to the source (null: a random one).</summary>
    public uint? ServerId { get; init; }

    /// <summary>How long to keep retrying when the standby is down or restarting.</summary>
    public TimeSpan StandbyRetryTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Group commit size (see <see cref="EventApplierOptions.MaxTransactionsPerCommit"/>); 1 commits each source transaction on its own.</summary>
    public int MaxTransactionsPerCommit { get; init; } = 100;

    /// <summary>Send a group's statements together (see <see cref="EventApplierOptions.BatchStatements"/>); false: one prepared statement per round trip.</summary>
    public bool BatchStatements { get; init; } = true;

    /// <summary>Notified when the source link connects, drops and reconnects (see <see cref="IReplicationLinkObserver"/>).</summary>
    public IReplicationLinkObserver? LinkObserver { get; init; }

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(SourceConnectionString, nameof(SourceConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(TargetConnectionString, nameof(TargetConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Channel, nameof(Channel));
        if (ServerId == 0)
        {
            throw new ArgumentException("ServerId must not be 0.", nameof(ServerId));
        }
    }
}

using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Archive.Live;

public sealed record LiveArchiverOptions
{
    public required ArchiveLayout Layout { get; init; }

    /// <summary>The source connection and stream settings (heartbeats, reconnect policy).</summary>
    public required ReplicationOptions Replication { get; init; }

    /// <summary>Encrypt sealed segments with this key (null: compress only).</summary>
    public ArchiveKey? Key { get; init; }

    /// <summary>For an empty archive: the binlog file to start from (default: the oldest one the source still has).</summary>
    public string? StartFile { get; init; }

    /// <summary>Called after each fsync with the transactions it made durable (on the flusher thread; keep it quick).</summary>
    public Action<DurableBatch>? TransactionsDurable { get; init; }

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;
}

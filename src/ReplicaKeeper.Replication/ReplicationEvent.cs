using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Replication;

/// <summary>What a <see cref="ReplicationEvent"/> carries.</summary>
public enum ReplicationEventKind
{
    /// <summary>A binlog event from the source (including artificial ones: fake ROTATE, re-sent FORMAT_DESCRIPTION).</summary>
    Event,

    /// <summary>A heartbeat (HEARTBEAT v1 or v2): the source is alive and idle at <see cref="ReplicationEvent.NextPosition"/>.</summary>
    Heartbeat,

    /// <summary>
    /// The transaction whose events were yielded since its first event (<see cref="ReplicationEvent.Event"/>)
    /// will not complete: after a reconnect the source no longer sent it (e.g. it crashed before
    /// committing it). Discard what you buffered of it; the stream goes on with the next transaction.
    /// </summary>
    TransactionAborted,
}

/// <summary>
/// One item of a replication stream: a decoded binlog event with its exact bytes and place.
/// <para>
/// Delivery contract (Debezium-style "resume at a transaction boundary"): events are yielded as
/// they arrive, so a consumer sees each transaction's events in order and exactly once. When the
/// link fails, the client reconnects from the last complete transaction, silently skips the part
/// of the in-flight transaction it had already yielded (after checking it is byte-identical), and
/// continues with the first event not yet yielded. If the source no longer has that transaction,
/// the stream yields <see cref="ReplicationEventKind.TransactionAborted"/> before anything else.
/// Non-transactional events (ROTATE, FORMAT_DESCRIPTION, PREVIOUS_GTIDS, GTID_LIST, heartbeats)
/// are yielded again after a reconnect, since the source re-sends them.
/// </para>
/// </summary>
public sealed record ReplicationEvent
{
    public required ReplicationEventKind Kind { get; init; }

    /// <summary>The decoded event (for <see cref="ReplicationEventKind.TransactionAborted"/>: the aborted transaction's first event).</summary>
    public required BinlogEvent Event { get; init; }

    /// <summary>The event exactly as in the source's binlog (header, body, checksum trailer); empty for TransactionAborted.</summary>
    public required ReadOnlyMemory<byte> RawBytes { get; init; }

    /// <summary>Binlog file the event belongs to (from the last ROTATE).</summary>
    public required string File { get; init; }

    /// <summary>Offset of the event in <see cref="File"/>, or null for artificial events (log_pos 0).</summary>
    public required ulong? Offset { get; init; }

    /// <summary>Offset just past the event (the header's log_pos), or null when the source sent 0.</summary>
    public required ulong? NextOffset { get; init; }

    /// <summary>
    /// Not bytes of the binlog file at <see cref="Offset"/>: the fake ROTATE at stream start, a
    /// FORMAT_DESCRIPTION re-sent with log_pos 0, heartbeats. An archiver skips these.
    /// </summary>
    public bool IsArtificial { get; init; }

    /// <summary>GTID of the transaction this event belongs to ("uuid:n", "uuid:tag:n" or "d-s-n"), null outside one or without GTIDs.</summary>
    public string? TransactionGtid { get; init; }

    /// <summary>True for the last event of a transaction (XID, COMMIT, a DDL statement, XA PREPARE, a TRANSACTION_PAYLOAD).</summary>
    public bool CompletesTransaction { get; init; }

    /// <summary>
    /// Where to resume to continue right after this event's transaction boundary: includes this
    /// event's transaction when <see cref="CompletesTransaction"/>, otherwise the last completed one.
    /// Persist it once the event (and everything before) is durable on your side.
    /// </summary>
    public required ReplicationCheckpoint Checkpoint { get; init; }

    /// <summary>The position just past this event, when known.</summary>
    public BinlogPosition? NextPosition => NextOffset is { } next ? new BinlogPosition(File, next) : null;
}

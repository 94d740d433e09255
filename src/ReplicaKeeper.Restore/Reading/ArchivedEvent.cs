using ReplicaKeeper.Binlog.Events;

namespace ReplicaKeeper.Restore.Reading;

/// <summary>One event of an archived transaction: where it is, what it decodes to, and (when asked for) its exact bytes.</summary>
public sealed record ArchivedEvent(string File, long Position, long EndPosition, BinlogEvent Event, ReadOnlyMemory<byte> Raw);

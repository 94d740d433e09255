using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// A decoded binlog event. Each event type is a sealed record deriving from this, in its own file
/// under Events/, with a static <c>Read(ref BinlogReader, EventHeader, in FormatContext)</c>.
/// </summary>
public abstract record BinlogEvent(EventHeader Header)
{
    public BinlogEventType EventType => Header.EventType;
}

/// <summary>An event type we do not decode: kept raw, never fatal.</summary>
public sealed record UnknownEvent(EventHeader Header, ReadOnlyMemory<byte> Body) : BinlogEvent(Header);

using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>RAND_EVENT (13): the two RAND() seeds for the next statement-based QUERY.</summary>
public sealed record RandEvent(EventHeader Header, ulong Seed1, ulong Seed2) : BinlogEvent(Header)
{
    public static RandEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.Rand, 0));
        return new RandEvent(header, reader.ReadUInt64LE(), reader.ReadUInt64LE());
    }
}

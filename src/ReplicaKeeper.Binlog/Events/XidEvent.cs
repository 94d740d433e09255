using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>XID_EVENT (16): commit of a transactional (InnoDB) transaction; body is the 8-byte XID.</summary>
public sealed record XidEvent(EventHeader Header, ulong Xid) : BinlogEvent(Header)
{
    public static XidEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.Xid, 0));
        return new XidEvent(header, reader.ReadUInt64LE());
    }
}

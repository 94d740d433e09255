using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// INTVAR_EVENT (5): statement-based context: LAST_INSERT_ID (1) or INSERT_ID (2) for the next
/// QUERY. Layout: type(1) value(8).
/// </summary>
public sealed record IntvarEvent(EventHeader Header, byte VariableType, ulong Value) : BinlogEvent(Header)
{
    public const byte LastInsertId = 1;
    public const byte InsertId = 2;

    public static IntvarEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.Intvar, 0));
        return new IntvarEvent(header, reader.ReadByte(), reader.ReadUInt64LE());
    }
}

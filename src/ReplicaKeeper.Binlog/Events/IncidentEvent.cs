using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// INCIDENT_EVENT (26): something happened on the source that a replica cannot reproduce
/// (1 = LOST_EVENTS). Layout: incident(2), message length(1), message.
/// </summary>
public sealed record IncidentEvent(EventHeader Header, ushort Incident, string Message) : BinlogEvent(Header)
{
    public const ushort LostEvents = 1;

    public static IncidentEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var incident = reader.ReadUInt16LE();
        reader.Skip(Math.Max(0, context.PostHeaderLength(BinlogEventType.Incident, 2) - 2));
        var message = "";
        if (!reader.IsAtEnd)
        {
            var length = reader.ReadByte();
            message = Encoding.UTF8.GetString(reader.ReadBytes(length));
        }

        return new IncidentEvent(header, incident, message);
    }
}

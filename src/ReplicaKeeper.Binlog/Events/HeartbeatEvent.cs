using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// HEARTBEAT_LOG_EVENT (27) and HEARTBEAT_LOG_EVENT_V2 (41, MySQL 8.0.26+): sent by the server on
/// an idle replication stream, never written to files. v1: the body is the current log file
/// name and the header's log_pos the position. v2: TLV fields (type, length as packed
/// integers): 1 = log file name, 2 = log position (packed integer), 0 = end.
/// </summary>
public sealed record HeartbeatEvent(EventHeader Header, string LogFileName, ulong LogPosition) : BinlogEvent(Header)
{
    public static HeartbeatEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (header.EventType != BinlogEventType.HeartbeatV2)
        {
            return new HeartbeatEvent(header, Encoding.UTF8.GetString(reader.ReadToEnd()), header.NextPosition);
        }

        var name = "";
        ulong position = 0;
        while (!reader.IsAtEnd)
        {
            var type = reader.ReadLengthEncodedInteger();
            if (type == 0)
            {
                break;
            }

            var length = reader.ReadLengthEncodedLength();
            switch (type)
            {
                case 1:
                    name = Encoding.UTF8.GetString(reader.ReadBytes(length));
                    break;
                case 2:
                    var field = new BinlogReader(reader.ReadBytes(length), reader.Offset - length);
                    position = field.ReadLengthEncodedInteger();
                    break;
                default:
                    reader.Skip(length);
                    break;
            }
        }

        return new HeartbeatEvent(header, name, position);
    }
}

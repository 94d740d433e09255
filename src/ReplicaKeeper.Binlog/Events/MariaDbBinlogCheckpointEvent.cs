using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// MariaDB BINLOG_CHECKPOINT_EVENT (161): the oldest binlog file still needed for crash recovery.
/// Layout: name_length(4) name.
/// </summary>
public sealed record MariaDbBinlogCheckpointEvent(EventHeader Header, string FileName) : BinlogEvent(Header)
{
    public static MariaDbBinlogCheckpointEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var length = reader.ReadUInt32LE();
        reader.Skip(Math.Max(0, context.PostHeaderLength(BinlogEventType.MariaDbBinlogCheckpoint, 4) - 4));
        if (length > (uint)reader.Remaining)
        {
            throw reader.Error($"file name length {length} exceeds the event");
        }

        return new MariaDbBinlogCheckpointEvent(header, Encoding.UTF8.GetString(reader.ReadBytes((int)length)));
    }
}

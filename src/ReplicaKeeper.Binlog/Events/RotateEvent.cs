using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// ROTATE_EVENT (4): the next events are in <see cref="NextFile"/> from <see cref="NextPosition"/>.
/// Written at the end of a binlog file, and sent by the server as a "fake" rotate (timestamp 0,
/// artificial flag) at the start of every replication stream to name the current file.
/// Layout: post-header position(8) (absent with a 0 post-header length: then 4), then the file name to the end.
/// </summary>
public sealed record RotateEvent(EventHeader Header, ulong NextPosition, string NextFile) : BinlogEvent(Header)
{
    /// <summary>The fake rotate at stream start: timestamp 0 or LOG_EVENT_ARTIFICIAL_F.</summary>
    public bool IsFake => Header.Timestamp == 0 || Header.IsArtificial;

    public static RotateEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var postHeader = context.PostHeaderLength(BinlogEventType.Rotate, 8);
        ulong position = 4;
        if (postHeader > 0)
        {
            position = reader.ReadUInt64LE();
            reader.Skip(postHeader - 8);
        }

        var name = reader.ReadToEnd();
        if (name.IsEmpty)
        {
            throw reader.Error("ROTATE without a file name");
        }

        return new RotateEvent(header, position, Encoding.UTF8.GetString(name));
    }
}

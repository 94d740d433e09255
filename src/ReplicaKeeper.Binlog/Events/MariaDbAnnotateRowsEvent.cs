using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>MariaDB ANNOTATE_ROWS_EVENT (160, binlog_annotate_row_events): the statement behind the following rows events.</summary>
public sealed record MariaDbAnnotateRowsEvent(EventHeader Header, string Query) : BinlogEvent(Header)
{
    public static MariaDbAnnotateRowsEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.MariaDbAnnotateRows, 0));
        return new MariaDbAnnotateRowsEvent(header, Encoding.UTF8.GetString(reader.ReadToEnd()));
    }
}

using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// ROWS_QUERY_LOG_EVENT (29, MySQL, binlog_rows_query_log_events=ON): the statement behind the
/// following rows events. Layout: a 1-byte length (truncated for long statements, ignored), then the text to the end.
/// </summary>
public sealed record RowsQueryEvent(EventHeader Header, string Query) : BinlogEvent(Header)
{
    public static RowsQueryEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.RowsQuery, 0));
        reader.Skip(1);
        return new RowsQueryEvent(header, Encoding.UTF8.GetString(reader.ReadToEnd()));
    }
}

using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;

namespace ReplicaKeeper.Cli.Output;

/// <summary>The "type" of an event in JSON lines, the same for <c>decode</c> and <c>tail</c> (issue 5's envelope).</summary>
internal static class EventTypeNames
{
    /// <summary>snake_case event type; compressed and v1/v2 variants share their plain name.</summary>
    public static string Of(BinlogEvent e) => e switch
    {
        RowsEvent rows => rows.Kind switch
        {
            RowsEventKind.Write => "write_rows",
            RowsEventKind.Update => "update_rows",
            RowsEventKind.Delete => "delete_rows",
            _ => "partial_update_rows",
        },
        QueryEvent => "query",
        GtidEvent g => g.IsAnonymous ? "anonymous_gtid" : "gtid",
        MariaDbGtidEvent => "gtid",
        UnknownEvent => "unknown",
        _ => e.EventType switch
        {
            BinlogEventType.FormatDescription => "format_description",
            BinlogEventType.Rotate => "rotate",
            BinlogEventType.Xid => "xid",
            BinlogEventType.Stop => "stop",
            BinlogEventType.Intvar => "intvar",
            BinlogEventType.Rand => "rand",
            BinlogEventType.UserVar => "user_var",
            BinlogEventType.TableMap => "table_map",
            BinlogEventType.Incident => "incident",
            BinlogEventType.Heartbeat or BinlogEventType.HeartbeatV2 => "heartbeat",
            BinlogEventType.RowsQuery => "rows_query",
            BinlogEventType.PreviousGtids => "previous_gtids",
            BinlogEventType.XaPrepare => "xa_prepare",
            BinlogEventType.TransactionPayload => "transaction_payload",
            BinlogEventType.MariaDbAnnotateRows => "annotate_rows",
            BinlogEventType.MariaDbBinlogCheckpoint => "binlog_checkpoint",
            BinlogEventType.MariaDbGtidList => "gtid_list",
            BinlogEventType.MariaDbStartEncryption => "start_encryption",
            _ => "unknown",
        },
    };
}

using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// XA_PREPARE_LOG_EVENT (38): end of an XA transaction's prepare phase (or an XA COMMIT ... ONE PHASE).
/// Layout: one_phase(1) formatID(4) gtrid_length(4) bqual_length(4) data(gtrid+bqual).
/// </summary>
public sealed record XaPrepareEvent(EventHeader Header, bool OnePhase, XaXid Xid) : BinlogEvent(Header)
{
    public static XaPrepareEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.XaPrepare, 0));
        var onePhase = reader.ReadByte() != 0;
        var formatId = (int)reader.ReadUInt32LE();
        var gtridLength = reader.ReadUInt32LE();
        var bqualLength = reader.ReadUInt32LE();
        if (gtridLength > 64 || bqualLength > 64)
        {
            throw reader.Error($"XID lengths {gtridLength}/{bqualLength} exceed 64");
        }

        var gtrid = reader.ReadBytes((int)gtridLength).ToArray();
        var bqual = reader.ReadBytes((int)bqualLength).ToArray();
        return new XaPrepareEvent(header, onePhase, new XaXid(formatId, gtrid, bqual));
    }
}

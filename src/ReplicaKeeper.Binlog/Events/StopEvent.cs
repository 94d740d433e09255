using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>STOP_EVENT (3): the server shut down cleanly; the file ends here. No body.</summary>
public sealed record StopEvent(EventHeader Header) : BinlogEvent(Header)
{
    public static StopEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        _ = reader.ReadToEnd();
        _ = context;
        return new StopEvent(header);
    }
}

namespace ReplicaKeeper.Binlog;

/// <summary>
/// The one exception a binlog parser throws: the input is not a well-formed binlog event.
/// Carries where it happened so an operator can find the bytes: file, event position,
/// event type and the byte offset inside the event.
/// </summary>
public sealed class BinlogFormatException : Exception
{
    public BinlogFormatException(string message)
        : base(message)
    {
    }

    public BinlogFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BinlogFormatException()
    {
    }

    public BinlogFormatException(
        string reason, string? file, long eventPosition, BinlogEventType? eventType, int byteOffset, Exception? inner = null)
        : base(Describe(reason, file, eventPosition, eventType, byteOffset), inner)
    {
        Reason = reason;
        File = file;
        EventPosition = eventPosition;
        EventType = eventType;
        ByteOffset = byteOffset;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; } = "";

    /// <summary>Binlog file name, when known.</summary>
    public string? File { get; }

    /// <summary>Offset of the event's first byte in its binlog file, or -1 when unknown.</summary>
    public long EventPosition { get; } = -1;

    /// <summary>The event's type, when the header could be read.</summary>
    public BinlogEventType? EventType { get; }

    /// <summary>Offset of the offending byte inside the event (0 = first header byte), or -1.</summary>
    public int ByteOffset { get; } = -1;

    /// <summary>The same failure, placed in a file at an event position.</summary>
    public BinlogFormatException WithLocation(string? file, long eventPosition, BinlogEventType? eventType = null) =>
        new(Reason.Length > 0 ? Reason : Message, file ?? File, eventPosition >= 0 ? eventPosition : EventPosition,
            eventType ?? EventType, ByteOffset, InnerException);

    private static string Describe(string reason, string? file, long pos, BinlogEventType? type, int offset)
    {
        var where = new System.Text.StringBuilder();
        where.Append(reason);
        where.Append(" (");
        where.Append(file ?? "<stream>");
        if (pos >= 0)
        {
            where.Append(" at ").Append(pos.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (type is { } t)
        {
            where.Append(", event ").Append(t.ToString());
        }

        if (offset >= 0)
        {
            where.Append(", byte ").Append(offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        where.Append(')');
        return where.ToString();
    }
}

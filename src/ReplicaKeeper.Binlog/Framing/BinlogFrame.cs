using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Framing;

/// <summary>
/// One event as it lies in a binlog file: where it starts, its common header, and its raw bytes
/// including the checksum trailer. <see cref="Bytes"/> belongs to the scanner that produced it
/// and is valid only until the scanner moves on; copy it to keep it.
/// </summary>
public readonly struct BinlogFrame
{
    public BinlogFrame(long position, EventHeader header, ReadOnlyMemory<byte> bytes, int checksumLength)
    {
        Position = position;
        Header = header;
        Bytes = bytes;
        ChecksumLength = checksumLength;
    }

    /// <summary>Offset of the event's first byte in its file.</summary>
    public long Position { get; }

    public EventHeader Header { get; }

    /// <summary>The whole event: header, body and checksum trailer.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Checksum bytes at the end of <see cref="Bytes"/> (0 or 4).</summary>
    public int ChecksumLength { get; }

    /// <summary>Offset just past the event (the next event's position).</summary>
    public long EndPosition => Position + Bytes.Length;

    public BinlogEventType EventType => Header.EventType;

    /// <summary>The event without its checksum trailer.</summary>
    public ReadOnlyMemory<byte> BytesWithoutChecksum => Bytes[..^ChecksumLength];
}

using System.Buffers.Binary;

namespace ReplicaKeeper.Binlog.Reading;

/// <summary>
/// The v4 common header every event starts with (19 bytes):
/// timestamp(4) type(1) server_id(4) event_size(4) log_pos(4) flags(2).
/// <see cref="NextPosition"/> is the master's log_pos field: the offset just past this event in
/// the master's file (0 for some artificial events).
/// </summary>
public readonly record struct EventHeader(
    uint Timestamp,
    BinlogEventType EventType,
    uint ServerId,
    uint EventSize,
    uint NextPosition,
    ushort Flags)
{
    public const int Size = 19;

    /// <summary>LOG_EVENT_ARTIFICIAL_F: events made up by the server for the stream (fake rotate).</summary>
    public const ushort ArtificialFlag = 0x20;

    /// <summary>Offset of this event in the master's file, when log_pos is set.</summary>
    public long Position => NextPosition == 0 ? -1 : (long)NextPosition - EventSize;

    public bool IsArtificial => (Flags & ArtificialFlag) != 0;

    /// <summary>Reads the header from the first 19 bytes of an event.</summary>
    public static EventHeader Read(ReadOnlySpan<byte> eventBytes)
    {
        if (eventBytes.Length < Size)
        {
            throw new BinlogFormatException(
                $"event header needs {Size} bytes, got {eventBytes.Length}", null, -1, null, eventBytes.Length);
        }

        var header = new EventHeader(
            BinaryPrimitives.ReadUInt32LittleEndian(eventBytes),
            (BinlogEventType)eventBytes[4],
            BinaryPrimitives.ReadUInt32LittleEndian(eventBytes[5..]),
            BinaryPrimitives.ReadUInt32LittleEndian(eventBytes[9..]),
            BinaryPrimitives.ReadUInt32LittleEndian(eventBytes[13..]),
            BinaryPrimitives.ReadUInt16LittleEndian(eventBytes[17..]));
        if (header.EventSize < Size)
        {
            throw new BinlogFormatException(
                $"event_size {header.EventSize} is smaller than the {Size}-byte header", null, -1, header.EventType, 9);
        }

        return header;
    }
}

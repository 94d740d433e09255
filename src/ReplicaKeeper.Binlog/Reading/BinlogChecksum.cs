using System.Buffers.Binary;
using System.IO.Hashing;

namespace ReplicaKeeper.Binlog.Reading;

/// <summary>binlog_checksum algorithm as announced by FORMAT_DESCRIPTION (0 = NONE, 1 = CRC32).</summary>
public enum ChecksumAlgorithm : byte
{
    None = 0,
    Crc32 = 1,
    Undefined = 255,
}

/// <summary>CRC32 (IEEE 802.3, as zlib's crc32) over an event minus its last four bytes.</summary>
public static class BinlogChecksum
{
    public const int Size = 4;

    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(data);

    /// <summary>LOG_EVENT_BINLOG_IN_USE_F: set in a file's FDE while the server has the file open.</summary>
    private const byte BinlogInUseFlag = 0x01;

    /// <summary>
    /// The CRC32 a server computes for a whole event minus its trailer. For a FORMAT_DESCRIPTION
    /// the LOG_EVENT_BINLOG_IN_USE_F flag is left out (the server clears it on close without
    /// recomputing the checksum; mysqlbinlog and the server verify it the same way).
    /// </summary>
    public static uint ComputeForEvent(ReadOnlySpan<byte> eventWithoutChecksum)
    {
        if (eventWithoutChecksum.Length > 17 && eventWithoutChecksum[4] == (byte)BinlogEventType.FormatDescription
            && (eventWithoutChecksum[17] & BinlogInUseFlag) != 0)
        {
            var crc = new Crc32();
            crc.Append(eventWithoutChecksum[..17]);
            ReadOnlySpan<byte> flagByte = [(byte)(eventWithoutChecksum[17] & ~BinlogInUseFlag)];
            crc.Append(flagByte);
            crc.Append(eventWithoutChecksum[18..]);
            return crc.GetCurrentHashAsUInt32();
        }

        return Compute(eventWithoutChecksum);
    }

    /// <summary>True when the event's trailing 4 bytes equal the CRC32 of everything before them.</summary>
    public static bool IsValid(ReadOnlySpan<byte> eventWithChecksum)
    {
        if (eventWithChecksum.Length < Size)
        {
            return false;
        }

        var body = eventWithChecksum[..^Size];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(eventWithChecksum[^Size..]);
        return ComputeForEvent(body) == stored;
    }

    /// <summary>Throws a <see cref="BinlogFormatException"/> naming file and position on a mismatch.</summary>
    public static void Verify(ReadOnlySpan<byte> eventWithChecksum, string? file, long position)
    {
        if (IsValid(eventWithChecksum))
        {
            return;
        }

        BinlogEventType? type = eventWithChecksum.Length > 4 ? (BinlogEventType)eventWithChecksum[4] : null;
        var stored = eventWithChecksum.Length >= Size ? BinaryPrimitives.ReadUInt32LittleEndian(eventWithChecksum[^Size..]) : 0;
        var actual = eventWithChecksum.Length >= Size ? ComputeForEvent(eventWithChecksum[..^Size]) : 0;
        throw new BinlogFormatException(
            $"CRC32 mismatch: stored 0x{stored:X8}, computed 0x{actual:X8}", file, position, type,
            Math.Max(0, eventWithChecksum.Length - Size));
    }
}

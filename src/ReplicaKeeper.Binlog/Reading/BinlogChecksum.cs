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

    /// <summary>True when the event's trailing 4 bytes equal the CRC32 of everything before them.</summary>
    public static bool IsValid(ReadOnlySpan<byte> eventWithChecksum)
    {
        if (eventWithChecksum.Length < Size)
        {
            return false;
        }

        var body = eventWithChecksum[..^Size];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(eventWithChecksum[^Size..]);
        return Compute(body) == stored;
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
        var actual = eventWithChecksum.Length >= Size ? Compute(eventWithChecksum[..^Size]) : 0;
        throw new BinlogFormatException(
            $"CRC32 mismatch: stored 0x{stored:X8}, computed 0x{actual:X8}", file, position, type,
            Math.Max(0, eventWithChecksum.Length - Size));
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Framing;

/// <summary>
/// Frame scanning without decoding: where an event ends (event_size in the common header), how
/// many checksum bytes it carries, and whether the checksum is right. Pure functions over spans;
/// no allocation. The checksum algorithm in force comes from the last FORMAT_DESCRIPTION, whose
/// own trailer is decided by the FDE itself (see <see cref="ChecksumLength"/>).
/// </summary>
public static class BinlogFraming
{
    /// <summary>Bytes of the magic number every binlog file starts with.</summary>
    public const int MagicLength = 4;

    /// <summary>Position of the first event in a binlog file.</summary>
    public const long FirstEventPosition = MagicLength;

    /// <summary>Default upper bound for event_size (MySQL's max_allowed_packet tops out at 1 GiB).</summary>
    public const uint DefaultMaxEventSize = 1u << 30;

    /// <summary>0xFE 'b' 'i' 'n'.</summary>
    public static ReadOnlySpan<byte> Magic => [0xFE, 0x62, 0x69, 0x6E];

    public static bool StartsWithMagic(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    /// <summary>
    /// Reads the event_size of the event at the start of <paramref name="buffer"/>. Returns false
    /// when fewer than 19 bytes are there (the size is not known yet). Throws
    /// <see cref="BinlogFormatException"/> when the size cannot be right (below 19 or above
    /// <paramref name="maxEventSize"/>): that is corruption, not a short read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadEventSize(ReadOnlySpan<byte> buffer, out int eventSize, uint maxEventSize = DefaultMaxEventSize)
    {
        if (buffer.Length < EventHeader.Size)
        {
            eventSize = 0;
            return false;
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(buffer[9..]);
        if (size < EventHeader.Size || size > maxEventSize)
        {
            ThrowBadSize(size, (BinlogEventType)buffer[4], maxEventSize);
        }

        eventSize = (int)size;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadSize(uint size, BinlogEventType type, uint max) =>
        throw new BinlogFormatException(
            size < EventHeader.Size
                ? $"event_size {size} is smaller than the {EventHeader.Size}-byte header"
                : $"event_size {size} exceeds the {max}-byte limit",
            null, -1, type, 9);

    /// <summary>
    /// Checksum bytes at the end of <paramref name="rawEvent"/>: for a FORMAT_DESCRIPTION, 4 when
    /// its server is checksum-aware (CRC32 or zero room) else 0; for any other event, 4 when
    /// <paramref name="current"/> is CRC32.
    /// </summary>
    public static int ChecksumLength(ReadOnlySpan<byte> rawEvent, ChecksumAlgorithm current)
    {
        if (rawEvent.Length > 4 && rawEvent[4] == (byte)BinlogEventType.FormatDescription)
        {
            return FormatDescriptionEvent.ChecksumTrailerLength(rawEvent);
        }

        return current == ChecksumAlgorithm.Crc32 ? BinlogChecksum.Size : 0;
    }

    /// <summary>
    /// The algorithm in force after <paramref name="rawEvent"/>: what it announces when it is a
    /// FORMAT_DESCRIPTION (CRC32 or NONE), else <paramref name="current"/>.
    /// </summary>
    public static ChecksumAlgorithm ChecksumAfter(ReadOnlySpan<byte> rawEvent, ChecksumAlgorithm current)
    {
        if (rawEvent.Length > 4 && rawEvent[4] == (byte)BinlogEventType.FormatDescription)
        {
            return FormatDescriptionEvent.ReadChecksumAlgorithm(rawEvent) == ChecksumAlgorithm.Crc32
                ? ChecksumAlgorithm.Crc32
                : ChecksumAlgorithm.None;
        }

        return current;
    }

    /// <summary>
    /// The checksum algorithm that applies to <paramref name="rawEvent"/> itself: for an FDE the
    /// one it announces, else <paramref name="current"/>.
    /// </summary>
    public static ChecksumAlgorithm ChecksumOf(ReadOnlySpan<byte> rawEvent, ChecksumAlgorithm current) =>
        rawEvent.Length > 4 && rawEvent[4] == (byte)BinlogEventType.FormatDescription
            ? ChecksumAfter(rawEvent, current)
            : current;

    /// <summary>
    /// Verifies the CRC32 of one whole event when <paramref name="current"/> (or, for an FDE, its
    /// own announcement) says CRC32. Throws <see cref="BinlogFormatException"/> naming file and position.
    /// </summary>
    public static void VerifyChecksum(ReadOnlySpan<byte> rawEvent, ChecksumAlgorithm current, string? file, long position)
    {
        ChecksumAlgorithm algorithm;
        try
        {
            algorithm = ChecksumOf(rawEvent, current);
        }
        catch (BinlogFormatException e)
        {
            throw e.WithLocation(file, position);
        }

        if (algorithm == ChecksumAlgorithm.Crc32)
        {
            BinlogChecksum.Verify(rawEvent, file, position);
        }
    }
}

using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// FORMAT_DESCRIPTION_EVENT (15): the first event of every binlog file. Says which binlog format
/// version and server wrote the file, how long the common header and each event type's
/// post-header are, and (checksum-aware servers: MySQL 5.6.1+, MariaDB 5.3+) which checksum
/// algorithm the following events carry. Layout after the common header:
/// binlog_version(2) server_version(50, NUL padded) create_timestamp(4) header_length(1)
/// post_header_lengths(n) [checksum_alg(1) checksum(4)].
/// The FDE's own trailing 4 bytes are a CRC32 when the algorithm is CRC32 and zero room otherwise.
/// </summary>
public sealed record FormatDescriptionEvent(
    EventHeader Header,
    ushort BinlogVersion,
    string ServerVersion,
    uint CreateTimestamp,
    byte CommonHeaderLength,
    byte[] PostHeaderLengths,
    ChecksumAlgorithm ChecksumAlgorithm) : BinlogEvent(Header)
{
    /// <summary>Bytes of the server version field.</summary>
    public const int ServerVersionLength = 50;

    /// <summary>Bytes from binlog_version to the first post-header length (2 + 50 + 4 + 1).</summary>
    public const int FixedPartLength = 2 + ServerVersionLength + 4 + 1;

    /// <summary>
    /// Reads the event. The reader covers the body after the common header, without the trailing
    /// 4 checksum bytes when the writing server is checksum-aware (see <see cref="ChecksumTrailerLength"/>).
    /// </summary>
    public static FormatDescriptionEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        var binlogVersion = reader.ReadUInt16LE();
        var versionBytes = reader.ReadBytes(ServerVersionLength);
        var nul = versionBytes.IndexOf((byte)0);
        var version = nul >= 0 ? versionBytes[..nul] : versionBytes;
        var created = reader.ReadUInt32LE();
        var headerLength = reader.ReadByte();
        if (headerLength < EventHeader.Size)
        {
            throw reader.Error($"common header length {headerLength} is below {EventHeader.Size}");
        }

        var aware = FormatContext.IsChecksumAware(version);
        var remaining = reader.Remaining;
        var count = aware ? remaining - 1 : remaining;
        if (count < 0)
        {
            throw reader.Error("FORMAT_DESCRIPTION lacks the checksum algorithm byte");
        }

        var postHeaders = reader.ReadBytes(count).ToArray();
        var algorithm = ChecksumAlgorithm.Undefined;
        if (aware)
        {
            var alg = reader.ReadByte();
            algorithm = alg switch
            {
                0 => ChecksumAlgorithm.None,
                1 => ChecksumAlgorithm.Crc32,
                255 => ChecksumAlgorithm.Undefined,
                _ => throw reader.Error($"unknown checksum algorithm {alg}"),
            };
        }

        return new FormatDescriptionEvent(
            header, binlogVersion, Encoding.ASCII.GetString(version), created, headerLength, postHeaders, algorithm);
    }

    /// <summary>
    /// How many trailing bytes of an FDE are checksum (or checksum room): 4 when the server that
    /// wrote it is checksum-aware, whatever the algorithm, else 0. Needs the whole raw event.
    /// </summary>
    public static int ChecksumTrailerLength(ReadOnlySpan<byte> rawEvent) =>
        rawEvent.Length >= EventHeader.Size + FixedPartLength && FormatContext.IsChecksumAware(ServerVersionBytes(rawEvent))
            ? BinlogChecksum.Size
            : 0;

    /// <summary>
    /// The checksum algorithm an FDE announces, read straight from its raw bytes (framing needs
    /// this before decoding anything): <see cref="ChecksumAlgorithm.Undefined"/> for servers that
    /// predate checksums. Throws <see cref="BinlogFormatException"/> for a too-short event or an unknown algorithm.
    /// </summary>
    public static ChecksumAlgorithm ReadChecksumAlgorithm(ReadOnlySpan<byte> rawEvent)
    {
        if (rawEvent.Length < EventHeader.Size + FixedPartLength)
        {
            throw new BinlogFormatException(
                $"FORMAT_DESCRIPTION of {rawEvent.Length} bytes is too short", null, -1, BinlogEventType.FormatDescription, rawEvent.Length);
        }

        if (!FormatContext.IsChecksumAware(ServerVersionBytes(rawEvent)))
        {
            return ChecksumAlgorithm.Undefined;
        }

        var at = rawEvent.Length - BinlogChecksum.Size - 1;
        if (at < EventHeader.Size + FixedPartLength)
        {
            throw new BinlogFormatException(
                "FORMAT_DESCRIPTION lacks the checksum algorithm byte", null, -1, BinlogEventType.FormatDescription, at);
        }

        return rawEvent[at] switch
        {
            0 => ChecksumAlgorithm.None,
            1 => ChecksumAlgorithm.Crc32,
            255 => ChecksumAlgorithm.Undefined,
            var other => throw new BinlogFormatException(
                $"unknown checksum algorithm {other}", null, -1, BinlogEventType.FormatDescription, at),
        };
    }

    private static ReadOnlySpan<byte> ServerVersionBytes(ReadOnlySpan<byte> rawEvent)
    {
        var field = rawEvent.Slice(EventHeader.Size + 2, ServerVersionLength);
        var nul = field.IndexOf((byte)0);
        return nul >= 0 ? field[..nul] : field;
    }

    /// <summary>The format context the events after this one are read with.</summary>
    public FormatContext ToFormatContext() =>
        new(BinlogVersion, ServerVersion, PostHeaderLengths,
            ChecksumAlgorithm == ChecksumAlgorithm.Crc32 ? ChecksumAlgorithm.Crc32 : ChecksumAlgorithm.None,
            CommonHeaderLength);

    public bool IsMariaDb => ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
}

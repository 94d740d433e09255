using System.IO.Compression;

namespace ReplicaKeeper.Binlog.Compression;

/// <summary>
/// MariaDB's compressed-event body (log_bin_compress; sql/log_event.cc binlog_buf_compress):
/// one header byte 0x80 | (algorithm &lt;&lt; 4) | length_of_length (1-4; algorithm 0 = zlib),
/// the uncompressed length big-endian in length_of_length bytes, then the zlib stream.
/// </summary>
public static class MariaDbCompression
{
    /// <summary>Largest uncompressed body we accept (MariaDB events are below 1 GiB).</summary>
    public const int MaxUncompressedLength = 1 << 30;

    /// <summary>Reads the header: uncompressed length and how many bytes the header takes.</summary>
    public static int ReadUncompressedLength(ReadOnlySpan<byte> compressed, out int headerLength)
    {
        if (compressed.IsEmpty || (compressed[0] & 0xE0) != 0x80)
        {
            throw new BinlogFormatException("compressed body does not start with a MariaDB compression header");
        }

        var algorithm = (compressed[0] >> 4) & 0x07;
        if (algorithm != 0)
        {
            throw new BinlogFormatException($"unknown MariaDB compression algorithm {algorithm}");
        }

        var lengthBytes = compressed[0] & 0x07;
        if (lengthBytes is < 1 or > 4 || compressed.Length < 1 + lengthBytes)
        {
            throw new BinlogFormatException($"invalid MariaDB compressed length field of {lengthBytes} byte(s)");
        }

        uint length = 0;
        for (var i = 1; i <= lengthBytes; i++)
        {
            length = (length << 8) | compressed[i];
        }

        if (length > MaxUncompressedLength)
        {
            throw new BinlogFormatException($"compressed body claims {length} bytes");
        }

        headerLength = 1 + lengthBytes;
        return (int)length;
    }

    /// <summary>
    /// Inflates the zlib stream after the header into exactly <paramref name="destination"/>
    /// (sized with <see cref="ReadUncompressedLength"/>); throws <see cref="BinlogFormatException"/>
    /// when the data is corrupt or its length differs.
    /// </summary>
    public static unsafe void Decompress(ReadOnlySpan<byte> zlibData, Span<byte> destination)
    {
        try
        {
            fixed (byte* source = zlibData)
            {
                using var input = new UnmanagedMemoryStream(source, zlibData.Length);
                using var inflater = new ZLibStream(input, CompressionMode.Decompress);
                var total = 0;
                while (total < destination.Length)
                {
                    var read = inflater.Read(destination[total..]);
                    if (read == 0)
                    {
                        throw new BinlogFormatException(
                            $"compressed body inflates to {total} bytes, header says {destination.Length}");
                    }

                    total += read;
                }

                Span<byte> probe = stackalloc byte[1];
                if (inflater.Read(probe) != 0)
                {
                    throw new BinlogFormatException($"compressed body inflates to more than the {destination.Length} bytes its header says");
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new BinlogFormatException($"compressed body does not inflate: {e.Message}", e);
        }
    }
}

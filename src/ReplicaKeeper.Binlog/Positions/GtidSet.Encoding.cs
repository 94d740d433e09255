using System.Buffers.Binary;
using System.Text;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// Binary form of a GTID set, as in COM_BINLOG_DUMP_GTID and PREVIOUS_GTIDS events
/// (MySQL sql/rpl_gtid_set.cc Gtid_set::encode / add_gtid_encoding):
/// <code>
/// n_sids      8 bytes LE   untagged format: the count
///                          tagged format:   (1 &lt;&lt; 56) | (count &lt;&lt; 8) | 1
/// per source: uuid        16 bytes (text order)
///             tag         tagged format only: varlen length (1 byte = length &lt;&lt; 1 for tags ≤ 32) + bytes; 0 = untagged
///             n_intervals 8 bytes LE
///             intervals   n × (start 8 bytes LE, end 8 bytes LE, end exclusive)
/// </code>
/// The tagged format is used exactly when the set holds a tagged GTID (as the server does), so a
/// set without tags encodes the way every MySQL version since 5.6 reads it.
/// </summary>
public sealed partial class GtidSet
{
    private const byte UntaggedFormat = 0;
    private const byte TaggedFormat = 1;

    /// <summary>Bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public int EncodedLength
    {
        get
        {
            var tagged = HasTags;
            var length = 8;
            foreach (var source in _sources)
            {
                length += SourceUuid.ByteLength + 8 + (16 * source.Intervals.Length);
                if (tagged)
                {
                    length += 1 + (source.Tag?.Length ?? 0);
                }
            }

            return length;
        }
    }

    public byte[] Encode()
    {
        var buffer = new byte[EncodedLength];
        Encode(buffer);
        return buffer;
    }

    /// <summary>Writes the binary form; returns the number of bytes written.</summary>
    public int Encode(Span<byte> destination)
    {
        var length = EncodedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"the encoded GTID set needs {length} bytes", nameof(destination));
        }

        var tagged = HasTags;
        var count = (ulong)_sources.Length;
        var header = tagged ? (1UL << 56) | (count << 8) | TaggedFormat : count;
        BinaryPrimitives.WriteUInt64LittleEndian(destination, header);
        var pos = 8;
        foreach (var source in _sources)
        {
            SourceUuid.WriteBytes(source.SourceId, destination.Slice(pos, SourceUuid.ByteLength));
            pos += SourceUuid.ByteLength;
            if (tagged)
            {
                var tag = source.Tag ?? "";
                destination[pos++] = (byte)(tag.Length << 1);
                pos += Encoding.ASCII.GetBytes(tag, destination[pos..]);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(destination[pos..], (ulong)source.Intervals.Length);
            pos += 8;
            foreach (var iv in source.Intervals)
            {
                BinaryPrimitives.WriteInt64LittleEndian(destination[pos..], iv.First);
                BinaryPrimitives.WriteInt64LittleEndian(destination[(pos + 8)..], iv.Last + 1);
                pos += 16;
            }
        }

        return pos;
    }

    /// <summary>Decodes a whole buffer; trailing bytes are an error.</summary>
    public static GtidSet Decode(ReadOnlySpan<byte> data)
    {
        var set = Decode(data, out var consumed);
        return consumed == data.Length
            ? set
            : throw new BinlogFormatException($"{data.Length - consumed} byte(s) after the encoded GTID set", null, -1, null, consumed);
    }

    /// <summary>
    /// Decodes the set at the start of <paramref name="data"/>. Throws <see cref="BinlogFormatException"/>
    /// (with the byte offset) on malformed input: unknown format, truncation, bad tag, intervals that
    /// are empty, out of order or overlapping.
    /// </summary>
    public static GtidSet Decode(ReadOnlySpan<byte> data, out int bytesConsumed)
    {
        if (data.Length < 8)
        {
            throw Error("GTID set shorter than its 8-byte source count", data.Length);
        }

        var header = BinaryPrimitives.ReadUInt64LittleEndian(data);
        var format = (byte)(header >> 56);
        ulong count;
        switch (format)
        {
            case UntaggedFormat:
                count = header;
                break;
            case TaggedFormat:
                if ((header & 0xFF) != TaggedFormat)
                {
                    throw Error($"tagged GTID set header 0x{header:X16} does not repeat the format in its low byte", 0);
                }

                count = (header & 0x00FF_FFFF_FFFF_FF00UL) >> 8;
                break;
            default:
                throw Error($"unknown GTID set encoding format {format}", 7);
        }

        var pos = 8;
        var parts = new Dictionary<(Guid Id, string? Tag), List<GtidInterval>>();
        for (ulong s = 0; s < count; s++)
        {
            if (data.Length - pos < SourceUuid.ByteLength + 8)
            {
                throw Error($"GTID set truncated in source {s + 1} of {count}", pos);
            }

            var uuid = SourceUuid.FromBytes(data.Slice(pos, SourceUuid.ByteLength));
            pos += SourceUuid.ByteLength;
            string? tag = null;
            if (format == TaggedFormat)
            {
                tag = ReadTag(data, ref pos);
            }

            if (data.Length - pos < 8)
            {
                throw Error($"GTID set truncated in source {s + 1} of {count}", pos);
            }

            var intervalCount = BinaryPrimitives.ReadUInt64LittleEndian(data[pos..]);
            pos += 8;
            if (intervalCount > (ulong)(data.Length - pos) / 16)
            {
                throw Error($"GTID set announces {intervalCount} interval(s) but only {data.Length - pos} byte(s) follow", pos - 8);
            }

            if (!parts.TryGetValue((uuid, tag), out var list))
            {
                list = [];
                parts.Add((uuid, tag), list);
            }

            long previousEnd = 0;
            for (ulong k = 0; k < intervalCount; k++)
            {
                var start = BinaryPrimitives.ReadInt64LittleEndian(data[pos..]);
                var end = BinaryPrimitives.ReadInt64LittleEndian(data[(pos + 8)..]);
                if (start <= previousEnd || end <= start)
                {
                    throw Error($"GTID interval [{start}, {end}) is empty or not after the previous one (ends at {previousEnd})", pos);
                }

                list.Add(new GtidInterval(start, end - 1));
                previousEnd = end;
                pos += 16;
            }
        }

        bytesConsumed = pos;
        return FromBuilder(parts);
    }

    private static string? ReadTag(ReadOnlySpan<byte> data, ref int pos)
    {
        if (pos >= data.Length)
        {
            throw Error("GTID set truncated before a tag", pos);
        }

        // The length is a MySQL serialization varint; tags are at most 32 bytes, so one byte (length << 1).
        var first = data[pos];
        if ((first & 1) != 0)
        {
            throw Error($"GTID tag length byte 0x{first:X2} is not a one-byte length", pos);
        }

        var length = first >> 1;
        if (length > GtidTag.MaxLength || data.Length - pos - 1 < length)
        {
            throw Error($"GTID tag length {length} is too long or truncated", pos);
        }

        var bytes = data.Slice(pos + 1, length);
        var text = Encoding.ASCII.GetString(bytes);
        if (length > 0 && (!GtidTag.IsValid(text) || bytes.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E)))
        {
            throw Error($"invalid GTID tag '{text}'", pos + 1);
        }

        pos += 1 + length;
        return length == 0 ? null : text.ToLowerInvariant();
    }

    private static BinlogFormatException Error(string reason, int offset) => new(reason, null, -1, null, offset);
}

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// Helpers for server UUIDs as MySQL writes them: 16 bytes in text order ("big-endian"), shown
/// lower case with dashes, ordered by those bytes (which is also the order of their text).
/// <see cref="Guid"/> is used as the value type; the byte order conversion lives here.
/// </summary>
public static class SourceUuid
{
    public const int ByteLength = 16;

    public const int TextLength = 36;

    /// <summary>The UUID from its 16 bytes as they appear in binlog events and GTID set encodings.</summary>
    public static Guid FromBytes(ReadOnlySpan<byte> bytes) => new(bytes[..ByteLength], bigEndian: true);

    /// <summary>Writes the 16 bytes in binlog order.</summary>
    public static void WriteBytes(Guid uuid, Span<byte> destination)
    {
        if (!uuid.TryWriteBytes(destination, bigEndian: true, out _))
        {
            throw new ArgumentException("destination needs 16 bytes", nameof(destination));
        }
    }

    /// <summary>Orders UUIDs by their bytes in text order, as MySQL sorts sources.</summary>
    public static int Compare(Guid left, Guid right)
    {
        Span<byte> a = stackalloc byte[ByteLength];
        Span<byte> b = stackalloc byte[ByteLength];
        WriteBytes(left, a);
        WriteBytes(right, b);
        return a.SequenceCompareTo(b);
    }

    /// <summary>Lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".</summary>
    public static string Format(Guid uuid) => uuid.ToString("D");

    /// <summary>Parses exactly the 36-character dashed form (any case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Guid uuid)
    {
        uuid = default;
        return text.Length == TextLength && text[8] == '-' && text[13] == '-' && text[18] == '-' && text[23] == '-'
            && Guid.TryParseExact(text, "D", out uuid);
    }
}

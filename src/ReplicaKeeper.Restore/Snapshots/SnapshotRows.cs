namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// A Rows record: rows one after the other, each value a LEB128 prefix (0 = NULL, n + 1 = n bytes follow) and the
/// value's bytes (see <see cref="SnapshotColumnKind"/>). The column count comes from the table record.
/// </summary>
internal static class SnapshotRows
{
    public static int WriteVarint(Span<byte> target, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            target[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        target[i++] = (byte)value;
        return i;
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> source, ref int offset)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (offset >= source.Length)
            {
                throw new SnapshotFormatException("a rows record ends inside a value length");
            }

            var b = source[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new SnapshotFormatException("a rows record has a malformed value length");
    }
}

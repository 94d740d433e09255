namespace ReplicaKeeper.Protocol.Tests.Fakes;

/// <summary>
/// Independent, deliberately naive packet framing for tests (so production framing is checked
/// against a second implementation, not against itself).
/// </summary>
internal static class TestFraming
{
    public const int Max = 0xFFFFFF;

    /// <summary>Frames a payload the way a server does, starting at <paramref name="sequenceId"/>.</summary>
    public static byte[] Frame(byte[] payload, ref byte sequenceId)
    {
        var output = new MemoryStream();
        int offset = 0;
        while (true)
        {
            int chunk = Math.Min(Max, payload.Length - offset);
            output.WriteByte((byte)chunk);
            output.WriteByte((byte)(chunk >> 8));
            output.WriteByte((byte)(chunk >> 16));
            output.WriteByte(sequenceId++);
            output.Write(payload, offset, chunk);
            offset += chunk;
            if (chunk < Max)
            {
                return output.ToArray();
            }
        }
    }

    public static byte[] Frame(byte[] payload, byte sequenceId) => Frame(payload, ref sequenceId);

    /// <summary>Splits raw bytes into physical packets (length, sequence id, payload).</summary>
    public static List<(int Length, byte SequenceId, byte[] Payload)> Parse(byte[] bytes)
    {
        var packets = new List<(int, byte, byte[])>();
        int offset = 0;
        while (offset < bytes.Length)
        {
            int length = bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16);
            byte sequenceId = bytes[offset + 3];
            packets.Add((length, sequenceId, bytes.AsSpan(offset + 4, length).ToArray()));
            offset += 4 + length;
        }

        return packets;
    }

    /// <summary>Deterministic pseudo-random payload.</summary>
    public static byte[] Payload(int length, int seed)
    {
        byte[] payload = new byte[length];
        new Random(seed).NextBytes(payload);
        return payload;
    }
}

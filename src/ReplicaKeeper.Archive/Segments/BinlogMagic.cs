namespace ReplicaKeeper.Archive.Segments;

/// <summary>The 4 bytes every binlog file starts with (0xFE 'b' 'i' 'n'); the first event is at offset 4.</summary>
public static class BinlogMagic
{
    public const int Size = 4;

    public static ReadOnlySpan<byte> Bytes => [0xFE, (byte)'b', (byte)'i', (byte)'n'];
}

namespace ReplicaKeeper.Binlog.Reading;

/// <summary>
/// What the current FORMAT_DESCRIPTION event says about the events that follow it: the
/// post-header length of each event type, the checksum algorithm, and the server flavour.
/// Immutable; the dispatcher replaces it when a new FORMAT_DESCRIPTION arrives.
/// </summary>
public sealed class FormatContext
{
    private readonly byte[] _postHeaderLengths;

    public FormatContext(ushort binlogVersion, string serverVersion, byte[] postHeaderLengths, ChecksumAlgorithm checksum)
    {
        BinlogVersion = binlogVersion;
        ServerVersion = serverVersion;
        _postHeaderLengths = postHeaderLengths;
        Checksum = checksum;
        IsMariaDb = serverVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
    }

    public ushort BinlogVersion { get; }

    public string ServerVersion { get; }

    public ChecksumAlgorithm Checksum { get; }

    public bool IsMariaDb { get; }

    /// <summary>Bytes of checksum at the end of each event (0 or 4).</summary>
    public int ChecksumSize => Checksum == ChecksumAlgorithm.Crc32 ? BinlogChecksum.Size : 0;

    public ReadOnlySpan<byte> PostHeaderLengths => _postHeaderLengths;

    /// <summary>Post-header length for an event type, or <paramref name="fallback"/> when the FDE does not list it.</summary>
    public int PostHeaderLength(BinlogEventType type, int fallback)
    {
        var index = (int)type - 1;
        return index >= 0 && index < _postHeaderLengths.Length ? _postHeaderLengths[index] : fallback;
    }

    /// <summary>
    /// The context assumed before any FORMAT_DESCRIPTION is seen (a stream starts with a fake
    /// ROTATE, whose layout does not depend on it).
    /// </summary>
    public static FormatContext Default { get; } = new(4, "", [], ChecksumAlgorithm.None);
}

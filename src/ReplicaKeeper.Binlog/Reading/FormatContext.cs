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
        : this(binlogVersion, serverVersion, postHeaderLengths, checksum, EventHeader.Size)
    {
    }

    public FormatContext(
        ushort binlogVersion, string serverVersion, byte[] postHeaderLengths, ChecksumAlgorithm checksum, int commonHeaderLength)
    {
        ArgumentNullException.ThrowIfNull(serverVersion);
        BinlogVersion = binlogVersion;
        ServerVersion = serverVersion;
        _postHeaderLengths = postHeaderLengths ?? [];
        Checksum = checksum;
        CommonHeaderLength = commonHeaderLength;
        IsMariaDb = serverVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);
    }

    public ushort BinlogVersion { get; }

    public string ServerVersion { get; }

    public ChecksumAlgorithm Checksum { get; }

    public bool IsMariaDb { get; }

    /// <summary>Length of the common event header (19 for binlog v4; an FDE may announce more).</summary>
    public int CommonHeaderLength { get; }

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

    /// <summary>
    /// True when a server of this version writes the checksum-algorithm byte (and 4 checksum bytes)
    /// at the end of its FORMAT_DESCRIPTION: MySQL 5.6.1+, MariaDB 5.3+.
    /// </summary>
    public static bool IsChecksumAware(ReadOnlySpan<byte> serverVersion)
    {
        var (major, minor, patch) = ParseVersion(serverVersion);
        var isMariaDb = serverVersion.IndexOf("MariaDB"u8) >= 0;
        var threshold = isMariaDb ? (5, 3, 0) : (5, 6, 1);
        return (major, minor, patch).CompareTo(threshold) >= 0;
    }

    /// <summary>The leading "major.minor.patch" numbers of a server version string (missing parts are 0).</summary>
    public static (int Major, int Minor, int Patch) ParseVersion(ReadOnlySpan<byte> version)
    {
        Span<int> parts = stackalloc int[3];
        var part = 0;
        var i = 0;
        while (part < 3 && i < version.Length)
        {
            var value = 0;
            var digits = 0;
            while (i < version.Length && version[i] is >= (byte)'0' and <= (byte)'9' && digits < 6)
            {
                value = (value * 10) + (version[i] - '0');
                i++;
                digits++;
            }

            parts[part++] = value;
            if (digits == 0 || i >= version.Length || version[i] != '.')
            {
                break;
            }

            i++;
        }

        return (parts[0], parts[1], parts[2]);
    }
}

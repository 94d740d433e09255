using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Framing;

/// <summary>How a <see cref="BinlogFrameScanner"/> reads a file.</summary>
public sealed record BinlogFrameScannerOptions
{
    /// <summary>Verify each event's CRC32 when the FORMAT_DESCRIPTION says CRC32 (default on).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// Check that each event's log_pos (when not 0) equals its end offset in the file, modulo 2^32.
    /// True for binlog files a server wrote; turn off for relay logs, whose log_pos are the source's.
    /// </summary>
    public bool CheckEndPositions { get; init; } = true;

    /// <summary>
    /// Offset of the stream's current position in the file. 0 (default): the stream is at the
    /// file start and the magic is checked. Larger: the stream is positioned at an event boundary
    /// and <see cref="InitialChecksum"/> says which checksum the events carry.
    /// </summary>
    public long StartPosition { get; init; }

    /// <summary>Checksum algorithm in force at <see cref="StartPosition"/> (until an FDE says otherwise).</summary>
    public ChecksumAlgorithm InitialChecksum { get; init; } = ChecksumAlgorithm.None;

    /// <summary>event_size above this is corruption (default 1 GiB).</summary>
    public uint MaxEventSize { get; init; } = BinlogFraming.DefaultMaxEventSize;

    /// <summary>Initial read buffer size; grows for larger events.</summary>
    public int BufferSize { get; init; } = 256 * 1024;

    public static BinlogFrameScannerOptions Default { get; } = new();
}

using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog;

/// <summary>How a <see cref="BinlogEventDecoder"/> decodes.</summary>
public sealed record BinlogDecoderOptions
{
    /// <summary>Verify CRC32 checksums when the FORMAT_DESCRIPTION announces them (default on).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// Checksum algorithm of events that arrive before the first FORMAT_DESCRIPTION (the fake
    /// ROTATE of a replication stream carries a CRC32 when the session announced
    /// @source_binlog_checksum/@master_binlog_checksum = CRC32). Default: None, except that a
    /// ROTATE whose last four bytes are a valid CRC32 of the rest is taken as checksummed.
    /// </summary>
    public ChecksumAlgorithm InitialChecksum { get; init; } = ChecksumAlgorithm.None;

    public static BinlogDecoderOptions Default { get; } = new();
}

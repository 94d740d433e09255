namespace ReplicaKeeper.Archive.Segments;

public sealed record SegmentWriterOptions
{
    /// <summary>Called (in order, awaited) after a segment was closed and fsynced: the sealer takes it from here.</summary>
    public Func<string, CancellationToken, ValueTask>? SegmentClosed { get; init; }

    /// <summary>Called after every fsync that advanced the durable position (on the flushing thread; keep it quick).</summary>
    public Action<DurablePosition>? DurableAdvanced { get; init; }

    /// <summary>How often state.json is rewritten with the durable position (it is also written when a segment closes).</summary>
    public TimeSpan StateInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Verify each event's CRC32 before writing it (the master's checksum; cheap).</summary>
    public bool VerifyChecksums { get; init; } = true;
}

using Microsoft.Win32.SafeHandles;

namespace ReplicaKeeper.Archive.Segments;

public sealed record SegmentWriterOptions
{
    /// <summary>Called (in order, awaited) after a segment was closed and fsynced: the sealer takes it from here.</summary>
    public Func<string, CancellationToken, ValueTask>? SegmentClosed { get; init; }

    /// <summary>Called after every fsync that advanced the durable position (on the flusher thread; keep it quick).</summary>
    public Action<DurablePosition>? DurableAdvanced { get; init; }

    /// <summary>
    /// Called after every fsync that advanced the durable position with the transactions it made
    /// durable (on the flusher thread; keep it quick). Observers measure commit-to-durable lag with it.
    /// </summary>
    public Action<DurableBatch>? TransactionsDurable { get; init; }

    /// <summary>How often state.json is rewritten with the durable position (it is also written when a segment closes).</summary>
    public TimeSpan StateInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Verify each event's CRC32 before writing it (the master's checksum; cheap).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// Received bytes the writer may hold in memory while the flusher is busy (a huge transaction or
    /// a slow disk); beyond it <see cref="SegmentWriter.AppendAsync"/> waits for the flusher.
    /// </summary>
    public int MaxBufferedBytes { get; init; } = 8 << 20;

    /// <summary>Test seam: replaces fdatasync of the open segment (to count or delay fsyncs).</summary>
    internal Action<SafeFileHandle>? SyncData { get; init; }
}

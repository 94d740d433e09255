namespace ReplicaKeeper.Archive.Index;

/// <summary>
/// Per-segment index (index/&lt;segment&gt;.json): summary of what the segment holds and a sparse
/// list of transaction starts (the first one, then one at least every <see cref="SegmentIndexBuilder.DefaultSpacing"/>
/// bytes) so a time, GTID or position maps to a nearby offset without reading the segment.
/// </summary>
public sealed record SegmentIndex
{
    public required string Segment { get; init; }

    public bool IsMariaDb { get; init; }

    public string? ServerVersion { get; init; }

    public long FirstPosition { get; init; }

    /// <summary>Offset of the last event.</summary>
    public long LastPosition { get; init; }

    /// <summary>Offset just past the last event (the segment's size).</summary>
    public long EndPosition { get; init; }

    public DateTimeOffset? FirstTime { get; init; }

    public DateTimeOffset? LastTime { get; init; }

    public string? FirstGtid { get; init; }

    public string? LastGtid { get; init; }

    public string? GtidsBefore { get; init; }

    public string? GtidsAfter { get; init; }

    public long Events { get; init; }

    public long Transactions { get; init; }

    public string? NextFile { get; init; }

    public IReadOnlyList<IndexPoint> Points { get; init; } = [];
}

/// <summary>A transaction start: its offset, its event timestamp and its GTID (if any).</summary>
public sealed record IndexPoint(long Offset, DateTimeOffset Time, string? Gtid);

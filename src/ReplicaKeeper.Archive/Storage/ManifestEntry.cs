namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// One line of manifest.jsonl. <see cref="Prev"/> is the SHA-256 (hex) of the previous line's
/// exact bytes (64 zeros for the first line), so editing, removing or reordering any line breaks
/// the chain. A "segment" line records a sealed segment; a "retire" line records that retention
/// deleted one (its stored file may then be missing). A "snapshot" line records a logical snapshot
/// (<see cref="Snapshot"/>; <see cref="Segment"/> is its id, <see cref="StoredName"/> its path under the
/// archive root); "retire-snapshot" records that snapshot retention deleted one.
/// </summary>
public sealed record ManifestEntry
{
    public const string SegmentKind = "segment";
    public const string RetireKind = "retire";
    public const string SnapshotKind = "snapshot";
    public const string SnapshotRetireKind = "retire-snapshot";
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public string Kind { get; init; } = SegmentKind;

    public long Sequence { get; init; }

    public required string Segment { get; init; }

    public string? StoredName { get; init; }

    public string? Compression { get; init; }

    public string? Encryption { get; init; }

    public string? KeyId { get; init; }

    public long OriginalSize { get; init; }

    public long StoredSize { get; init; }

    public string? OriginalSha256 { get; init; }

    public string? StoredSha256 { get; init; }

    public long FirstPosition { get; init; }

    public long LastPosition { get; init; }

    public string? NextFile { get; init; }

    public bool IsMariaDb { get; init; }

    public string? ServerVersion { get; init; }

    public string? GtidsBefore { get; init; }

    public string? GtidsAfter { get; init; }

    public string? FirstGtid { get; init; }

    public string? LastGtid { get; init; }

    public DateTimeOffset? FirstTime { get; init; }

    public DateTimeOffset? LastTime { get; init; }

    public long Events { get; init; }

    public long Transactions { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    public string? Reason { get; init; }

    /// <summary>Snapshot lines only: the source position the snapshot corresponds to and what it holds.</summary>
    public ManifestSnapshot? Snapshot { get; init; }

    public string Prev { get; init; } = GenesisHash;
}

/// <summary>
/// What a snapshot line records: the source position the snapshot corresponds to (binlog file/offset just past its
/// last transaction, GTIDs, where that position was read), the commit time of its last source transaction when known,
/// when it was taken, and how many tables and rows it holds.
/// </summary>
public sealed record ManifestSnapshot
{
    public string? SourceFile { get; init; }

    public long? SourceOffset { get; init; }

    public string? Gtids { get; init; }

    public string? LastTransaction { get; init; }

    public string? PositionOrigin { get; init; }

    public DateTimeOffset? SourceCommitTime { get; init; }

    public DateTimeOffset TakenAt { get; init; }

    public int Tables { get; init; }

    public long Rows { get; init; }
}

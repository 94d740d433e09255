namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// One line of manifest.jsonl. <see cref="Prev"/> is the SHA-256 (hex) of the previous line's
/// exact bytes (64 zeros for the first line), so editing, removing or reordering any line breaks
/// the chain. A "segment" line records a sealed segment; a "retire" line records that retention
/// deleted one (its stored file may then be missing).
/// </summary>
public sealed record ManifestEntry
{
    public const string SegmentKind = "segment";
    public const string RetireKind = "retire";
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

    public string Prev { get; init; } = GenesisHash;
}

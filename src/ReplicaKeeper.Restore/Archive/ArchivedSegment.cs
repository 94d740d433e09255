using ReplicaKeeper.Archive.Index;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Restore.Archive;

/// <summary>Where a segment's bytes are kept.</summary>
public enum SegmentStorage
{
    /// <summary>Sealed by the archiver: zstd (and AES-256-GCM) under DIR/sealed, recorded in the manifest.</summary>
    Sealed,

    /// <summary>Raw, not sealed yet (DIR/segments), e.g. the one being written.</summary>
    Raw,

    /// <summary>A plain binlog file directly in DIR (a copy of the master's files).</summary>
    Plain,
}

/// <summary>One binlog segment of the archive, in sequence order, with what the manifest and index know of it.</summary>
public sealed record ArchivedSegment(string Name, long Sequence, SegmentStorage Storage, string Path, ManifestEntry? Entry, SegmentIndex? Index)
{
    /// <summary>Time of the first transaction, when the manifest or index knows it.</summary>
    public DateTimeOffset? FirstTime => Entry?.FirstTime ?? Index?.FirstTime;

    /// <summary>Time of the last transaction, when the manifest or index knows it.</summary>
    public DateTimeOffset? LastTime => Entry?.LastTime ?? Index?.LastTime;

    public override string ToString() => $"{Name} ({Storage})";
}

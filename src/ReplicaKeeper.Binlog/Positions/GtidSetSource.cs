using System.Collections.Immutable;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// The part of a <see cref="GtidSet"/> that belongs to one source UUID and tag: its transaction
/// numbers as sorted, disjoint, non-adjacent inclusive intervals (never empty).
/// </summary>
public sealed class GtidSetSource : IEquatable<GtidSetSource>
{
    internal GtidSetSource(Guid sourceId, string? tag, ImmutableArray<GtidInterval> intervals)
    {
        SourceId = sourceId;
        Tag = tag;
        Intervals = intervals;
    }

    public Guid SourceId { get; }

    /// <summary>Lower-case tag, or null for untagged GTIDs.</summary>
    public string? Tag { get; }

    public ImmutableArray<GtidInterval> Intervals { get; }

    /// <summary>Number of transactions (saturates at <see cref="ulong.MaxValue"/>).</summary>
    public ulong Count
    {
        get
        {
            ulong total = 0;
            foreach (var iv in Intervals)
            {
                total = ulong.MaxValue - total < iv.Count ? ulong.MaxValue : total + iv.Count;
            }

            return total;
        }
    }

    /// <summary>Orders as MySQL sorts TSIDs: by UUID bytes, then untagged first, then tag.</summary>
    internal static int CompareKeys(Guid leftId, string? leftTag, Guid rightId, string? rightTag)
    {
        var byId = SourceUuid.Compare(leftId, rightId);
        return byId != 0 ? byId : GtidTag.Compare(leftTag, rightTag);
    }

    internal int CompareKey(GtidSetSource other) => CompareKeys(SourceId, Tag, other.SourceId, other.Tag);

    public bool Equals(GtidSetSource? other) =>
        other is not null && SourceId == other.SourceId && Tag == other.Tag && Intervals.AsSpan().SequenceEqual(other.Intervals.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as GtidSetSource);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(SourceId);
        hash.Add(Tag, StringComparer.Ordinal);
        foreach (var iv in Intervals)
        {
            hash.Add(iv);
        }

        return hash.ToHashCode();
    }

    public override string ToString() =>
        SourceUuid.Format(SourceId) + (Tag is null ? "" : ":" + Tag) + ":" + string.Join(':', Intervals);
}

using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// A set of MySQL GTIDs: per source UUID and optional tag (MySQL 8.4+), sorted disjoint intervals
/// of transaction numbers. Immutable value type with set algebra.
/// <para>
/// Text form (see <see cref="ToString"/>): MySQL's own format as printed by @@gtid_executed, e.g.
/// <c>3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11,4b9c...:1-3:blue:1-7</c>: sources in UUID order,
/// untagged intervals of a UUID first, then its tags in alphabetical order, UUIDs lower case, tags
/// lower case. MySQL separates sources with ",\n"; <see cref="ToString"/> uses "," so the text fits on
/// one line, and <see cref="ToMultilineString"/> gives MySQL's exact output. <see cref="Parse"/> accepts both
/// and any whitespace MySQL accepts.
/// </para>
/// <para>Binary form (see <see cref="Encode()"/> and <see cref="Decode(ReadOnlySpan{byte})"/>): what COM_BINLOG_DUMP_GTID and PREVIOUS_GTIDS carry.</para>
/// </summary>
public sealed partial class GtidSet : IEquatable<GtidSet>
{
    private readonly ImmutableArray<GtidSetSource> _sources;

    private GtidSet(ImmutableArray<GtidSetSource> sources)
    {
        _sources = sources;
    }

    public static GtidSet Empty { get; } = new([]);

    /// <summary>The sources that hold at least one GTID, in canonical order.</summary>
    public ImmutableArray<GtidSetSource> Sources => _sources;

    public bool IsEmpty => _sources.IsEmpty;

    /// <summary>True when any source carries a tag (the binary encoding then needs the tagged format).</summary>
    public bool HasTags => _sources.Any(static s => s.Tag is not null);

    /// <summary>Number of transactions in the set (saturates at <see cref="ulong.MaxValue"/>).</summary>
    public ulong Count
    {
        get
        {
            ulong total = 0;
            foreach (var source in _sources)
            {
                var c = source.Count;
                total = ulong.MaxValue - total < c ? ulong.MaxValue : total + c;
            }

            return total;
        }
    }

    /// <summary>A set holding one GTID.</summary>
    public static GtidSet Of(Gtid gtid) => Empty.Add(gtid);

    /// <summary>The intervals of one source and tag (empty when the set has none).</summary>
    public ImmutableArray<GtidInterval> IntervalsOf(Guid sourceId, string? tag = null)
    {
        var index = IndexOf(sourceId, GtidTag.Normalize(tag));
        return index >= 0 ? _sources[index].Intervals : [];
    }

    /// <summary>This set plus one GTID.</summary>
    public GtidSet Add(Gtid gtid)
    {
        var index = IndexOf(gtid.SourceId, gtid.Tag);
        if (index >= 0)
        {
            var source = _sources[index];
            var intervals = GtidIntervals.Add(source.Intervals, gtid.Sequence);
            return intervals == source.Intervals
                ? this
                : new GtidSet(_sources.SetItem(index, new GtidSetSource(source.SourceId, source.Tag, intervals)));
        }

        var added = new GtidSetSource(gtid.SourceId, gtid.Tag, [new GtidInterval(gtid.Sequence, gtid.Sequence)]);
        return new GtidSet(_sources.Insert(~index, added));
    }

    /// <summary>This set plus one GTID given by its parts (tag null or empty = untagged).</summary>
    public GtidSet Add(Guid sourceId, string? tag, long sequence) => Add(new Gtid(sourceId, tag, sequence));

    /// <summary>This set plus a whole interval of one source and tag.</summary>
    public GtidSet Add(Guid sourceId, string? tag, GtidInterval interval) =>
        Union(new GtidSet([new GtidSetSource(sourceId, GtidTag.Normalize(tag), [interval])]));

    public bool Contains(Gtid gtid)
    {
        var index = IndexOf(gtid.SourceId, gtid.Tag);
        return index >= 0 && GtidIntervals.Contains(_sources[index].Intervals, gtid.Sequence);
    }

    public GtidSet Union(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return other;
        }

        return Merge(other, static (a, b) => GtidIntervals.Union(a, b), keepLeftOnly: true, keepRightOnly: true);
    }

    /// <summary>The GTIDs of this set that are not in <paramref name="other"/>.</summary>
    public GtidSet Except(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.IsEmpty || IsEmpty
            ? this
            : Merge(other, static (a, b) => GtidIntervals.Except(a, b), keepLeftOnly: true, keepRightOnly: false);
    }

    public GtidSet Intersect(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.IsEmpty || IsEmpty
            ? Empty
            : Merge(other, static (a, b) => GtidIntervals.Intersect(a, b), keepLeftOnly: false, keepRightOnly: false);
    }

    public bool IsSubsetOf(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var source in _sources)
        {
            var index = other.IndexOf(source.SourceId, source.Tag);
            if (index < 0 || !GtidIntervals.IsSubset(source.Intervals, other._sources[index].Intervals))
            {
                return false;
            }
        }

        return true;
    }

    public bool IsSupersetOf(GtidSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.IsSubsetOf(this);
    }

    /// <summary>Index of a source in <see cref="_sources"/>, or the bitwise complement of its insertion point.</summary>
    private int IndexOf(Guid sourceId, string? tag)
    {
        int lo = 0, hi = _sources.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var s = _sources[mid];
            var c = GtidSetSource.CompareKeys(s.SourceId, s.Tag, sourceId, tag);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private GtidSet Merge(
        GtidSet other,
        Func<ImmutableArray<GtidInterval>, ImmutableArray<GtidInterval>, ImmutableArray<GtidInterval>> combine,
        bool keepLeftOnly,
        bool keepRightOnly)
    {
        var result = ImmutableArray.CreateBuilder<GtidSetSource>(_sources.Length + other._sources.Length);
        int i = 0, j = 0;
        while (i < _sources.Length || j < other._sources.Length)
        {
            var c = i == _sources.Length ? 1 : j == other._sources.Length ? -1 : _sources[i].CompareKey(other._sources[j]);
            if (c < 0)
            {
                if (keepLeftOnly)
                {
                    result.Add(_sources[i]);
                }

                i++;
            }
            else if (c > 0)
            {
                if (keepRightOnly)
                {
                    result.Add(other._sources[j]);
                }

                j++;
            }
            else
            {
                var left = _sources[i];
                var intervals = combine(left.Intervals, other._sources[j].Intervals);
                if (!intervals.IsEmpty)
                {
                    result.Add(intervals == left.Intervals ? left : new GtidSetSource(left.SourceId, left.Tag, intervals));
                }

                i++;
                j++;
            }
        }

        return result.Count == 0 ? Empty : new GtidSet(result.DrainToImmutable());
    }

    /// <summary>Builds a set from already-normalized sources (sorted by key, non-empty intervals).</summary>
    private static GtidSet FromBuilder(Dictionary<(Guid Id, string? Tag), List<GtidInterval>> parts)
    {
        if (parts.Count == 0)
        {
            return Empty;
        }

        var sources = new List<GtidSetSource>(parts.Count);
        foreach (var ((id, tag), intervals) in parts)
        {
            if (intervals.Count > 0)
            {
                sources.Add(new GtidSetSource(id, tag, GtidIntervals.Normalize(intervals)));
            }
        }

        sources.Sort(static (a, b) => a.CompareKey(b));
        return sources.Count == 0 ? Empty : new GtidSet([.. sources]);
    }

    public bool Equals([NotNullWhen(true)] GtidSet? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._sources.Length != _sources.Length)
        {
            return false;
        }

        for (var i = 0; i < _sources.Length; i++)
        {
            if (!_sources[i].Equals(other._sources[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as GtidSet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var source in _sources)
        {
            hash.Add(source);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(GtidSet? left, GtidSet? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(GtidSet? left, GtidSet? right) => !(left == right);
}

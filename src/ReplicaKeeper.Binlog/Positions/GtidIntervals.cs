using System.Collections.Immutable;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// Set algebra over sorted, disjoint, non-adjacent interval lists (the invariant every
/// <see cref="GtidSet"/> source keeps: touching intervals are merged, as MySQL does).
/// </summary>
internal static class GtidIntervals
{
    /// <summary>Sorts and merges overlapping or touching intervals.</summary>
    public static ImmutableArray<GtidInterval> Normalize(List<GtidInterval> intervals)
    {
        if (intervals.Count == 0)
        {
            return [];
        }

        intervals.Sort(static (a, b) => a.First.CompareTo(b.First));
        var result = ImmutableArray.CreateBuilder<GtidInterval>(intervals.Count);
        var current = intervals[0];
        for (var i = 1; i < intervals.Count; i++)
        {
            var next = intervals[i];
            if (next.First <= current.Last + 1)
            {
                current = new GtidInterval(current.First, Math.Max(current.Last, next.Last));
            }
            else
            {
                result.Add(current);
                current = next;
            }
        }

        result.Add(current);
        return result.DrainToImmutable();
    }

    public static ImmutableArray<GtidInterval> Union(ImmutableArray<GtidInterval> left, ImmutableArray<GtidInterval> right)
    {
        if (right.IsEmpty)
        {
            return left;
        }

        if (left.IsEmpty)
        {
            return right;
        }

        var all = new List<GtidInterval>(left.Length + right.Length);
        all.AddRange(left);
        all.AddRange(right);
        return Normalize(all);
    }

    /// <summary>Adds one number; the common case (appending to the last interval) stays cheap.</summary>
    public static ImmutableArray<GtidInterval> Add(ImmutableArray<GtidInterval> intervals, long sequence)
    {
        if (intervals.IsEmpty)
        {
            return [new GtidInterval(sequence, sequence)];
        }

        var last = intervals[^1];
        if (sequence == last.Last + 1)
        {
            return intervals.SetItem(intervals.Length - 1, new GtidInterval(last.First, sequence));
        }

        if (sequence > last.Last + 1)
        {
            return intervals.Add(new GtidInterval(sequence, sequence));
        }

        return Contains(intervals, sequence) ? intervals : Union(intervals, [new GtidInterval(sequence, sequence)]);
    }

    public static bool Contains(ImmutableArray<GtidInterval> intervals, long sequence)
    {
        int lo = 0, hi = intervals.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var iv = intervals[mid];
            if (sequence < iv.First)
            {
                hi = mid - 1;
            }
            else if (sequence > iv.Last)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    public static ImmutableArray<GtidInterval> Except(ImmutableArray<GtidInterval> left, ImmutableArray<GtidInterval> right)
    {
        if (left.IsEmpty || right.IsEmpty)
        {
            return left;
        }

        var result = ImmutableArray.CreateBuilder<GtidInterval>();
        var j = 0;
        foreach (var iv in left)
        {
            var first = iv.First;
            var last = iv.Last;
            while (j < right.Length && right[j].Last < first)
            {
                j++;
            }

            var k = j;
            while (k < right.Length && right[k].First <= last && first <= last)
            {
                var cut = right[k];
                if (cut.First > first)
                {
                    result.Add(new GtidInterval(first, cut.First - 1));
                }

                if (cut.Last >= last)
                {
                    first = last + 1; // nothing left of iv
                    break;
                }

                first = cut.Last + 1;
                k++;
            }

            if (first <= last)
            {
                result.Add(new GtidInterval(first, last));
            }
        }

        return result.DrainToImmutable();
    }

    public static ImmutableArray<GtidInterval> Intersect(ImmutableArray<GtidInterval> left, ImmutableArray<GtidInterval> right)
    {
        var result = ImmutableArray.CreateBuilder<GtidInterval>();
        int i = 0, j = 0;
        while (i < left.Length && j < right.Length)
        {
            var a = left[i];
            var b = right[j];
            var first = Math.Max(a.First, b.First);
            var last = Math.Min(a.Last, b.Last);
            if (first <= last)
            {
                result.Add(new GtidInterval(first, last));
            }

            if (a.Last < b.Last)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result.DrainToImmutable();
    }

    public static bool IsSubset(ImmutableArray<GtidInterval> sub, ImmutableArray<GtidInterval> super)
    {
        var j = 0;
        foreach (var iv in sub)
        {
            while (j < super.Length && super[j].Last < iv.First)
            {
                j++;
            }

            if (j == super.Length || super[j].First > iv.First || super[j].Last < iv.Last)
            {
                return false;
            }
        }

        return true;
    }
}

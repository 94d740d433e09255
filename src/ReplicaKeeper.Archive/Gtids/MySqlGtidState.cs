using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Archive.Gtids;

/// <summary>
/// A MySQL GTID set: per source uuid (and tag, MySQL 8.4+) a sorted list of closed intervals.
/// Canonical text: <c>uuid:1-5:tag:1-3,uuid2:7</c>, uuids in lower case and sorted.
/// </summary>
public sealed class MySqlGtidState : GtidState
{
    // key: (sid, tag or "") -> sorted, non-overlapping, non-adjacent [start, end] intervals
    private readonly SortedDictionary<(Guid Sid, string Tag), List<(long Start, long End)>> _sets = new(KeyComparer.Instance);

    public override bool IsEmpty => _sets.Count == 0;

    public override bool Add(TransactionId id)
    {
        if (id.IsMariaDb)
        {
            throw new ArgumentException("a MariaDB GTID cannot be added to a MySQL GTID set", nameof(id));
        }

        return AddInterval(id.Sid, id.Tag ?? "", id.Gno, id.Gno);
    }

    /// <summary>Adds [start, end]; returns false if any part was already contained.</summary>
    public bool AddInterval(Guid sid, string tag, long start, long end)
    {
        if (start < 1 || end < start)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"invalid GTID interval {start}-{end}");
        }

        if (!_sets.TryGetValue((sid, tag), out var list))
        {
            list = [];
            _sets[(sid, tag)] = list;
        }

        var fresh = true;
        foreach (var (s, e) in list)
        {
            if (s <= end && start <= e)
            {
                fresh = false;
            }
        }

        list.Add((start, end));
        list.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(long Start, long End)>(list.Count);
        foreach (var iv in list)
        {
            if (merged.Count > 0 && iv.Start <= merged[^1].End + 1)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, iv.End));
            }
            else
            {
                merged.Add(iv);
            }
        }

        list.Clear();
        list.AddRange(merged);
        return fresh;
    }

    public override bool Contains(TransactionId id)
    {
        if (id.IsMariaDb || !_sets.TryGetValue((id.Sid, id.Tag ?? ""), out var list))
        {
            return false;
        }

        foreach (var (s, e) in list)
        {
            if (id.Gno >= s && id.Gno <= e)
            {
                return true;
            }
        }

        return false;
    }

    public override GtidState Clone()
    {
        var copy = new MySqlGtidState();
        foreach (var (key, list) in _sets)
        {
            copy._sets[key] = [.. list];
        }

        return copy;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Guid? current = null;
        foreach (var ((sid, tag), list) in _sets)
        {
            if (current != sid)
            {
                if (sb.Length > 0)
                {
                    sb.Append(',');
                }

                sb.Append(sid.ToString("D"));
                current = sid;
            }

            if (tag.Length > 0)
            {
                sb.Append(':').Append(tag);
            }

            foreach (var (s, e) in list)
            {
                sb.Append(':');
                sb.Append(s.ToString(CultureInfo.InvariantCulture));
                if (e != s)
                {
                    sb.Append('-').Append(e.ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        return sb.ToString();
    }

    public static MySqlGtidState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = new MySqlGtidState();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (!Guid.TryParse(parts[0], out var sid))
            {
                throw new FormatException($"'{item}' does not start with a server uuid");
            }

            var tag = "";
            for (var i = 1; i < parts.Length; i++)
            {
                var part = parts[i];
                if (part.Length > 0 && !char.IsAsciiDigit(part[0]))
                {
                    tag = part.ToLowerInvariant();
                    continue;
                }

                var dash = part.IndexOf('-', StringComparison.Ordinal);
                var start = long.Parse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture);
                var end = dash < 0 ? start : long.Parse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
                state.AddInterval(sid, tag, start, end);
            }
        }

        return state;
    }

    private sealed class KeyComparer : IComparer<(Guid Sid, string Tag)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((Guid Sid, string Tag) x, (Guid Sid, string Tag) y)
        {
            var c = string.CompareOrdinal(x.Sid.ToString("D"), y.Sid.ToString("D"));
            return c != 0 ? c : string.CompareOrdinal(x.Tag, y.Tag);
        }
    }
}

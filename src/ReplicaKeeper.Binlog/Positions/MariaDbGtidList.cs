using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// A MariaDB GTID position: at most one GTID per replication domain (the last transaction applied
/// in that domain), as @@gtid_slave_pos, @@gtid_binlog_pos and @slave_connect_state use it.
/// Written "0-1-100,1-2-5" in domain order. Immutable; <see cref="Parse"/>/<see cref="ToString"/>
/// round-trip exactly.
/// </summary>
public sealed class MariaDbGtidList : IEquatable<MariaDbGtidList>
{
    private readonly ImmutableArray<MariaDbGtid> _gtids; // sorted by domain, one per domain

    private MariaDbGtidList(ImmutableArray<MariaDbGtid> gtids)
    {
        _gtids = gtids;
    }

    public static MariaDbGtidList Empty { get; } = new([]);

    /// <summary>The GTIDs in domain order.</summary>
    public ImmutableArray<MariaDbGtid> Gtids => _gtids;

    public bool IsEmpty => _gtids.IsEmpty;

    public int Count => _gtids.Length;

    /// <summary>A list from GTIDs; two GTIDs of one domain are an <see cref="ArgumentException"/>.</summary>
    public static MariaDbGtidList Of(params IEnumerable<MariaDbGtid> gtids)
    {
        ArgumentNullException.ThrowIfNull(gtids);
        var sorted = gtids.OrderBy(static g => g.DomainId).ToImmutableArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].DomainId == sorted[i - 1].DomainId)
            {
                throw new ArgumentException($"domain {sorted[i].DomainId} appears twice ({sorted[i - 1]} and {sorted[i]})", nameof(gtids));
            }
        }

        return sorted.IsEmpty ? Empty : new MariaDbGtidList(sorted);
    }

    /// <summary>The GTID recorded for a domain.</summary>
    public bool TryGet(uint domainId, out MariaDbGtid gtid)
    {
        var index = IndexOf(domainId);
        gtid = index >= 0 ? _gtids[index] : default;
        return index >= 0;
    }

    /// <summary>
    /// This position advanced by one transaction: <paramref name="gtid"/> replaces the GTID of its domain
    /// (what a replica does when it commits a transaction).
    /// </summary>
    public MariaDbGtidList With(MariaDbGtid gtid)
    {
        var index = IndexOf(gtid.DomainId);
        if (index >= 0)
        {
            return _gtids[index] == gtid ? this : new MariaDbGtidList(_gtids.SetItem(index, gtid));
        }

        return new MariaDbGtidList(_gtids.Insert(~index, gtid));
    }

    /// <summary>
    /// True when a transaction with this GTID is at or before the position in its domain (its
    /// sequence number is not greater than the recorded one): a replica at this position has it.
    /// </summary>
    public bool Covers(MariaDbGtid gtid) => TryGet(gtid.DomainId, out var recorded) && gtid.Sequence <= recorded.Sequence;

    private int IndexOf(uint domainId)
    {
        int lo = 0, hi = _gtids.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var d = _gtids[mid].DomainId;
            if (d == domainId)
            {
                return mid;
            }

            if (d < domainId)
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

    public override string ToString() => string.Join(',', _gtids);

    /// <summary>
    /// Parses "d-s-n[,d-s-n...]" (whitespace around entries allowed, "" = empty). Throws
    /// <see cref="FormatException"/> naming the text for a malformed entry or a domain given twice.
    /// </summary>
    public static MariaDbGtidList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCore(text, out var list, out var error) ? list : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out MariaDbGtidList? list)
    {
        list = null;
        if (text is not null && TryParseCore(text, out var parsed, out _))
        {
            list = parsed;
        }

        return list is not null;
    }

    private static bool TryParseCore(string text, out MariaDbGtidList list, out string error)
    {
        list = Empty;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var gtids = new List<MariaDbGtid>();
        foreach (var part in text.Split(','))
        {
            if (!MariaDbGtid.TryParse(part, out var gtid))
            {
                error = $"Malformed MariaDB GTID list '{text}': entry '{part.Trim()}' is not DOMAIN-SERVER-SEQUENCE (e.g. 0-1-100).";
                return false;
            }

            if (gtids.Any(g => g.DomainId == gtid.DomainId))
            {
                error = $"Malformed MariaDB GTID list '{text}': domain {gtid.DomainId} appears more than once.";
                return false;
            }

            gtids.Add(gtid);
        }

        list = Of(gtids);
        return true;
    }

    public bool Equals([NotNullWhen(true)] MariaDbGtidList? other) =>
        other is not null && _gtids.AsSpan().SequenceEqual(other._gtids.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as MariaDbGtidList);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var g in _gtids)
        {
            hash.Add(g);
        }

        return hash.ToHashCode();
    }

    public static bool operator ==(MariaDbGtidList? left, MariaDbGtidList? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(MariaDbGtidList? left, MariaDbGtidList? right) => !(left == right);
}

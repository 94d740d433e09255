using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Archive.Gtids;

/// <summary>MariaDB binlog state: the last GTID per replication domain (what GTID_LIST events carry).</summary>
public sealed class MariaDbGtidState : GtidState
{
    private readonly SortedDictionary<uint, (uint Server, ulong Sequence)> _domains = [];

    public override bool IsEmpty => _domains.Count == 0;

    public IReadOnlyDictionary<uint, (uint Server, ulong Sequence)> Domains => _domains;

    public override bool Add(TransactionId id)
    {
        if (!id.IsMariaDb)
        {
            throw new ArgumentException("a MySQL GTID cannot be added to a MariaDB GTID list", nameof(id));
        }

        var advances = !_domains.TryGetValue(id.Domain, out var last) || id.Sequence > last.Sequence;
        _domains[id.Domain] = (id.Server, id.Sequence);
        return advances;
    }

    /// <summary>Sets a domain's position without the monotonic check (GTID_LIST contents).</summary>
    public void Set(TransactionId id) => _domains[id.Domain] = (id.Server, id.Sequence);

    public override bool Contains(TransactionId id) =>
        id.IsMariaDb && _domains.TryGetValue(id.Domain, out var last) && id.Sequence <= last.Sequence;

    public override GtidState Clone()
    {
        var copy = new MariaDbGtidState();
        foreach (var (domain, value) in _domains)
        {
            copy._domains[domain] = value;
        }

        return copy;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (domain, (server, seq)) in _domains)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(CultureInfo.InvariantCulture, $"{domain}-{server}-{seq}");
        }

        return sb.ToString();
    }

    public static MariaDbGtidState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = new MariaDbGtidState();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TransactionId.TryParse(item, out var id) || !id.IsMariaDb)
            {
                throw new FormatException($"'{item}' is not a MariaDB GTID (domain-server-seq)");
            }

            state.Set(id);
        }

        return state;
    }
}

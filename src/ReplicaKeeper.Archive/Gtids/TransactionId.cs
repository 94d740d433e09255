using System.Globalization;

namespace ReplicaKeeper.Archive.Gtids;

/// <summary>
/// One transaction's global id as the archive needs it: MySQL <c>uuid[:tag]:gno</c> or MariaDB
/// <c>domain-server-seq</c>. Raw fields only; parsing/formatting round-trips.
/// </summary>
public readonly record struct TransactionId
{
    private TransactionId(bool isMariaDb, Guid sid, string? tag, long gno, uint domain, uint server, ulong seq)
    {
        IsMariaDb = isMariaDb;
        Sid = sid;
        Tag = tag;
        Gno = gno;
        Domain = domain;
        Server = server;
        Sequence = seq;
    }

    public bool IsMariaDb { get; }

    public Guid Sid { get; }

    public string? Tag { get; }

    public long Gno { get; }

    public uint Domain { get; }

    public uint Server { get; }

    public ulong Sequence { get; }

    public static TransactionId MySql(Guid sid, string? tag, long gno) => new(false, sid, string.IsNullOrEmpty(tag) ? null : tag, gno, 0, 0, 0);

    public static TransactionId MariaDb(uint domain, uint server, ulong seq) => new(true, Guid.Empty, null, 0, domain, server, seq);

    public override string ToString() => IsMariaDb
        ? string.Create(CultureInfo.InvariantCulture, $"{Domain}-{Server}-{Sequence}")
        : Tag is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Sid:D}:{Gno}")
            : string.Create(CultureInfo.InvariantCulture, $"{Sid:D}:{Tag}:{Gno}");

    public static bool TryParse(string? text, out TransactionId id)
    {
        id = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var colon = text.Split(':');
        if (colon.Length == 1)
        {
            var parts = text.Split('-');
            if (parts.Length == 3
                && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var d)
                && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                && ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var q))
            {
                id = MariaDb(d, s, q);
                return true;
            }

            return false;
        }

        if ((colon.Length == 2 || colon.Length == 3)
            && Guid.TryParse(colon[0], out var sid)
            && long.TryParse(colon[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var gno) && gno > 0)
        {
            id = MySql(sid, colon.Length == 3 ? colon[1].ToLowerInvariant() : null, gno);
            return true;
        }

        return false;
    }
}

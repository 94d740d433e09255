using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Standby.Positions;

/// <summary>
/// A place in the source's history as the standby records it: the MySQL GTID set or MariaDB GTID list of everything
/// applied (authoritative when present), and the source binlog file/offset just past the last applied transaction.
/// </summary>
public sealed record StandbyPosition(GtidSet? MySqlGtids, MariaDbGtidList? MariaDbGtids, BinlogPosition? File)
{
    public bool IsEmpty => MySqlGtids is null && MariaDbGtids is null && File is null;

    /// <summary>
    /// True when a standby at this position has every transaction of <paramref name="source"/>: GTID containment when
    /// both have GTIDs of the same kind, else file/offset order.
    /// </summary>
    public bool Covers(StandbyPosition source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.MySqlGtids is not null && MySqlGtids is not null)
        {
            return source.MySqlGtids.IsSubsetOf(MySqlGtids);
        }

        if (source.MariaDbGtids is not null && MariaDbGtids is not null)
        {
            return source.MariaDbGtids.Gtids.All(MariaDbGtids.Covers);
        }

        return source.File is { } wanted && File is { } have && have >= wanted;
    }

    /// <summary>Same transactions applied (GTID equality when available, else file/offset).</summary>
    public bool SameAs(StandbyPosition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.MySqlGtids is not null && MySqlGtids is not null)
        {
            return other.MySqlGtids == MySqlGtids;
        }

        if (other.MariaDbGtids is not null && MariaDbGtids is not null)
        {
            return other.MariaDbGtids == MariaDbGtids;
        }

        return other.File == File;
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (MySqlGtids is not null)
        {
            parts.Add($"gtid set '{MySqlGtids}'");
        }

        if (MariaDbGtids is not null)
        {
            parts.Add($"gtid position '{MariaDbGtids}'");
        }

        if (File is { } file)
        {
            parts.Add($"binlog {file}");
        }

        return parts.Count == 0 ? "(none)" : string.Join(", ", parts);
    }
}

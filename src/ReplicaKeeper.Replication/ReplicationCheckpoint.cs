using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Replication;

/// <summary>How a checkpoint identifies its place in the source's history.</summary>
public enum ReplicationMode
{
    /// <summary>A binlog file and offset (COM_BINLOG_DUMP).</summary>
    Position,

    /// <summary>A MySQL GTID set: everything not in the set is sent (COM_BINLOG_DUMP_GTID).</summary>
    MySqlGtid,

    /// <summary>A MariaDB GTID list: the last transaction per domain (@slave_connect_state).</summary>
    MariaDbGtid,
}

/// <summary>
/// A transaction boundary in the source's binlog: where a stream starts, and where it resumes
/// after a reconnect (always after the last complete transaction). Immutable. <see cref="Mode"/>
/// says which identity is authoritative; <see cref="Position"/> is kept in every mode once known.
/// Persist <see cref="ToString"/> and restore with <see cref="Parse"/>.
/// </summary>
public sealed record ReplicationCheckpoint
{
    private ReplicationCheckpoint(ReplicationMode mode, BinlogPosition? position, GtidSet? gtidSet, MariaDbGtidList? mariaDbGtids)
    {
        Mode = mode;
        Position = position;
        GtidSet = gtidSet;
        MariaDbGtids = mariaDbGtids;
    }

    public ReplicationMode Mode { get; }

    /// <summary>File and offset just after the last complete transaction, when known.</summary>
    public BinlogPosition? Position { get; }

    /// <summary>MySQL: the GTIDs the consumer has (the start set plus every completed transaction).</summary>
    public GtidSet? GtidSet { get; }

    /// <summary>MariaDB: the last completed GTID per domain.</summary>
    public MariaDbGtidList? MariaDbGtids { get; }

    /// <summary>Start at a binlog file and offset (the offset must be a transaction boundary, e.g. 4).</summary>
    public static ReplicationCheckpoint FromPosition(BinlogPosition position)
    {
        ArgumentException.ThrowIfNullOrEmpty(position.File, nameof(position));
        return new(ReplicationMode.Position, position, null, null);
    }

    /// <summary>MySQL: receive every transaction not in <paramref name="executed"/> (empty = everything still in the binlogs).</summary>
    public static ReplicationCheckpoint FromGtidSet(GtidSet executed)
    {
        ArgumentNullException.ThrowIfNull(executed);
        return new(ReplicationMode.MySqlGtid, null, executed, null);
    }

    /// <summary>MariaDB: receive every transaction after <paramref name="position"/> in each domain.</summary>
    public static ReplicationCheckpoint FromMariaDbGtids(MariaDbGtidList position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return new(ReplicationMode.MariaDbGtid, null, null, position);
    }

    internal ReplicationCheckpoint With(BinlogPosition? position, GtidSet? gtidSet, MariaDbGtidList? mariaDbGtids) =>
        new(Mode, position ?? Position, gtidSet ?? GtidSet, mariaDbGtids ?? MariaDbGtids);

    /// <summary>"position:FILE:OFFSET", "gtid:SET" or "mariadb-gtid:LIST" (the authoritative identity only).</summary>
    public override string ToString() => Mode switch
    {
        ReplicationMode.Position => "position:" + Position,
        ReplicationMode.MySqlGtid => "gtid:" + GtidSet,
        _ => "mariadb-gtid:" + MariaDbGtids,
    };

    /// <summary>Parses what <see cref="ToString"/> printed; throws <see cref="FormatException"/> naming the text.</summary>
    public static ReplicationCheckpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("position:", StringComparison.Ordinal))
        {
            return FromPosition(BinlogPosition.Parse(text["position:".Length..]));
        }

        if (text.StartsWith("gtid:", StringComparison.Ordinal))
        {
            return FromGtidSet(Binlog.Positions.GtidSet.Parse(text["gtid:".Length..]));
        }

        if (text.StartsWith("mariadb-gtid:", StringComparison.Ordinal))
        {
            return FromMariaDbGtids(MariaDbGtidList.Parse(text["mariadb-gtid:".Length..]));
        }

        throw new FormatException($"Malformed replication checkpoint '{text}': expected position:FILE:OFFSET, gtid:SET or mariadb-gtid:LIST.");
    }

    /// <summary>For error messages: what was requested from the source.</summary>
    internal string Describe() => Mode switch
    {
        ReplicationMode.Position => $"binlog position {Position}",
        ReplicationMode.MySqlGtid => GtidSet!.IsEmpty ? "the beginning of the binlogs (empty GTID set)" : $"GTID set '{GtidSet}'",
        _ => MariaDbGtids!.IsEmpty ? "the beginning of the binlogs (empty GTID position)" : $"MariaDB GTID position '{MariaDbGtids}'",
    };
}

using System.Globalization;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>Where the position of a snapshot comes from.</summary>
public enum SnapshotPositionOrigin
{
    /// <summary>
    /// The standby's <c>replicakeeper.applied_position</c>, read inside the snapshot transaction: it is committed with
    /// the data it describes, so it names exactly the source transactions the snapshot holds. The normal case.
    /// </summary>
    AppliedPosition,

    /// <summary>
    /// The standby has no position table (it replicates natively): the standby's own GTID state at the snapshot.
    /// Correct only when the standby keeps the source's GTIDs (MySQL GTID replication, MariaDB gtid_slave_pos).
    /// </summary>
    StandbyGtids,
}

/// <summary>
/// The source position a snapshot corresponds to: every source transaction up to it is in the snapshot, none after.
/// <see cref="File"/>/<see cref="Offset"/>: the source binlog just past the last transaction (the archive's segment
/// names); <see cref="MySqlGtids"/> or <see cref="MariaDbGtids"/>: the GTIDs it holds.
/// </summary>
public sealed record SnapshotPosition(
    string? File,
    long? Offset,
    string? MySqlGtids,
    string? MariaDbGtids,
    string? LastTransaction,
    SnapshotPositionOrigin Origin)
{
    /// <summary>The binlog position, when known.</summary>
    public BinlogPosition? Binlog => File is null || Offset is not { } offset ? null : new BinlogPosition(File, (ulong)offset);

    internal static SnapshotPosition From(StandbyPosition position, string? lastTransaction, SnapshotPositionOrigin origin) => new(
        position.File?.File,
        position.File is { } file ? (long)file.Offset : null,
        position.MySqlGtids?.ToString(),
        position.MariaDbGtids?.ToString(),
        lastTransaction,
        origin);

    /// <summary>
    /// True when the snapshot already holds <paramref name="gtid"/> ("uuid:n", "uuid:tag:n" or "d-s-n"); null when it
    /// cannot tell (no GTIDs recorded, or the text is not a GTID of the recorded kind).
    /// </summary>
    public bool? ContainsGtid(string gtid)
    {
        ArgumentNullException.ThrowIfNull(gtid);
        if (MySqlGtids is not null && Gtid.TryParse(gtid, out var single))
        {
            return GtidSet.Parse(MySqlGtids).Contains(single);
        }

        if (MariaDbGtids is not null && MariaDbGtid.TryParse(gtid, out var mariaDb))
        {
            return MariaDbGtidList.Parse(MariaDbGtids).Covers(mariaDb);
        }

        return null;
    }

    /// <summary>
    /// True when <paramref name="transaction"/> is already in the snapshot: by GTID when both have one, else by binlog
    /// position (it ends at or before the snapshot's position in the same file).
    /// </summary>
    public bool Holds(ArchivedTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (transaction.Gtid is { } gtid && ContainsGtid(gtid) is { } contained)
        {
            return contained;
        }

        return Binlog is { } at
            && string.Equals(transaction.End.File, at.File, StringComparison.Ordinal)
            && transaction.End.Offset <= at.Offset;
    }

    public override string ToString()
    {
        var parts = new List<string>();
        if (MySqlGtids is not null)
        {
            parts.Add("GTIDs " + (MySqlGtids.Length == 0 ? "(none)" : MySqlGtids));
        }

        if (MariaDbGtids is not null)
        {
            parts.Add("GTID position " + (MariaDbGtids.Length == 0 ? "(none)" : MariaDbGtids));
        }

        if (Binlog is { } binlog)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{binlog.File}:{binlog.Offset}"));
        }

        return parts.Count == 0 ? "(unknown position)" : string.Join(", ", parts);
    }
}

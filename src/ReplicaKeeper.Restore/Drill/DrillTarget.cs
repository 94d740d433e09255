using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>Turns the standby's applied position into the restore target that gives the same data.</summary>
internal static class DrillTarget
{
    /// <summary>
    /// Up to and including the standby's last applied source transaction (<c>--to-gtid</c>) when it has a GTID; else
    /// every transaction that starts before the standby's source binlog position (<c>--to-position</c>).
    /// </summary>
    public static RestoreTarget From(AppliedPosition applied)
    {
        if (applied.LastTransaction is { } last && TransactionId.TryParse(last, out _))
        {
            return RestoreTarget.ToGtid(last);
        }

        if (applied.Position.File is { } file)
        {
            return RestoreTarget.ToPosition(file);
        }

        throw new DrillSetupException(DrillVerdict.InvalidSetup,
            $"the standby's applied position ({applied.Position}) names neither a GTID nor a source binlog position; nothing to restore to");
    }

    /// <summary>Throws <see cref="DrillVerdict.ArchiveBehind"/> when the archive cannot reach <paramref name="target"/>.</summary>
    public static void CheckReachable(RestoreTarget target, ArchiveSource source, string? archiveEndGtids, bool isMariaDb)
    {
        if (target.Kind == RestoreTargetKind.ToGtid && target.Gtid is { } gtid && archiveEndGtids is not null
            && TransactionId.TryParse(gtid, out var id) && !GtidState.Parse(archiveEndGtids, isMariaDb).Contains(id))
        {
            throw new DrillSetupException(DrillVerdict.ArchiveBehind,
                $"the archive ends at GTIDs {archiveEndGtids} but the standby has applied {gtid}: the archive is behind the standby (is the archiver running?)");
        }

        if (target.Kind == RestoreTargetKind.ToPosition && target.Position is { } position
            && source.Segments.Count > 0 && !source.Segments.Any(s => s.Name == position.File)
            && SegmentName.TryParse(position.File, out var wanted) && wanted.Sequence > source.Segments[^1].Sequence)
        {
            throw new DrillSetupException(DrillVerdict.ArchiveBehind,
                $"the archive ends with segment {source.Segments[^1].Name} but the standby has applied up to {position}: the archive is behind the standby (is the archiver running?)");
        }
    }
}

namespace ReplicaKeeper.Restore.Drill;

/// <summary>
/// How a restore drill ended. The numeric value is the exit code of <c>replicakeeper drill</c>, so scripts and the
/// daemon's alerts can tell "the backup does not give back the standby's data" from "the backup is damaged" from
/// "the drill could not reach a server".
/// </summary>
public enum DrillVerdict
{
    /// <summary>Every table of the scratch restore has the standby's CHECKSUM TABLE value.</summary>
    Passed = 0,

    /// <summary>The restore ran, but at least one table differs from the standby (or exists on one side only).</summary>
    Mismatch = 1,

    /// <summary>The drill cannot run as configured: bad options, scratch == standby, no applied position, wrong key.</summary>
    InvalidSetup = 2,

    /// <summary>The archive failed verification or the restore plan (missing, changed, truncated or out-of-sequence segment).</summary>
    ArchiveDamaged = 3,

    /// <summary>The scratch or the standby could not be reached (or dropped the connection).</summary>
    ConnectionFailed = 4,

    /// <summary>The archive ends before the standby's applied position (archiver stopped or lagging).</summary>
    ArchiveBehind = 5,

    /// <summary>Replaying the archive into the scratch failed (server error, unsupported event).</summary>
    RestoreFailed = 6,
}

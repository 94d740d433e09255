using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>
/// Everything a restore drill found: the verdict (and exit code), what was restored up to where, how long each phase
/// took, the per-table comparison and the problems met. Connection strings appear only as host:port (no secrets).
/// </summary>
public sealed record DrillResult
{
    public required DrillVerdict Verdict { get; init; }

    /// <summary>One line for logs and alerts ("drill passed: 5 tables match the standby at GTID 0-1-42").</summary>
    public required string Summary { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Duration { get; init; }

    public required string ArchiveDirectory { get; init; }

    /// <summary>Scratch instance as host:port (and server version when reached).</summary>
    public required string Scratch { get; init; }

    /// <summary>Standby as host:port (and server version when reached).</summary>
    public required string Standby { get; init; }

    /// <summary>The standby's applied position the restore aimed at ("gtid position '0-1-42', binlog bin.000003:1234").</summary>
    public string? StandbyPosition { get; init; }

    /// <summary>The restore target derived from it (<c>--to-gtid 0-1-42</c> or <c>--to-position FILE:POS</c>).</summary>
    public string? RestoreTarget { get; init; }

    /// <summary>Id of the snapshot the restore started from (null: replayed from the archive's first segment).</summary>
    public string? SnapshotId { get; init; }

    /// <summary>The snapshot as the catalog describes it (time, position, tables, rows), or why none was used.</summary>
    public string? Snapshot { get; init; }

    /// <summary>Segments the restore read, in order.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];

    /// <summary>Binlog bytes the restore covered.</summary>
    public long ReplayedBytes { get; init; }

    public long TransactionsApplied { get; init; }

    /// <summary>The last transaction the restore applied.</summary>
    public string? LastGtid { get; init; }

    public BinlogPosition? LastPosition { get; init; }

    /// <summary>Scheduled events left disabled on the scratch instance (see <see cref="Replay.DisabledEvent"/>).</summary>
    public IReadOnlyList<Replay.DisabledEvent> DisabledEvents { get; init; } = [];

    /// <summary>Archive verification: segments and transactions checked.</summary>
    public string? ArchiveCheck { get; init; }

    public IReadOnlyList<DrillPhase> Phases { get; init; } = [];

    /// <summary>One row per user table on either side, sorted by name.</summary>
    public IReadOnlyList<DrillTableResult> Tables { get; init; } = [];

    /// <summary>What went wrong, most specific first (segment names, GTIDs, tables).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Where the markdown report was written (null: not written).</summary>
    public string? MarkdownReportPath { get; init; }

    /// <summary>Where the HTML report was written (null: not written).</summary>
    public string? HtmlReportPath { get; init; }

    public bool Passed => Verdict == DrillVerdict.Passed;

    /// <summary>Exit code of <c>replicakeeper drill</c>: the verdict's value.</summary>
    public int ExitCode => (int)Verdict;
}

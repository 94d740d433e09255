using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>Settings of one <see cref="DrillRunner"/> run.</summary>
public sealed record DrillOptions
{
    /// <summary>The archive directory to prove.</summary>
    public required string ArchiveDirectory { get; init; }

    /// <summary>Key for encrypted segments (null: the archive is not encrypted).</summary>
    public ArchiveKey? Key { get; init; }

    /// <summary>
    /// The scratch instance the archive is restored into. Its user schemas are DROPPED and its binary logs and GTID
    /// history reset: never point this at a server holding data you need.
    /// </summary>
    public required string ScratchConnectionString { get; init; }

    /// <summary>The standby to compare with: its <c>replicakeeper.applied_position</c> is the restore target.</summary>
    public required string CompareConnectionString { get; init; }

    /// <summary>Position-table channel of the standby.</summary>
    public string Channel { get; init; } = PositionStore.DefaultChannel;

    /// <summary>Start the restore from the newest usable snapshot in the archive (default); false: replay the archive from its first segment.</summary>
    public bool UseSnapshots { get; init; } = true;

    /// <summary>
    /// Without a snapshot, replay from the archive's first segment even when it is not the master's first binlog (the
    /// standby was seeded at the archive's start, so nothing before it matters). Same as <c>restore --from-archive-start</c>.
    /// </summary>
    public bool AllowArchiveWithoutBase { get; init; }

    /// <summary>Where the markdown and HTML reports are written (null: no files; the result still carries everything).</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Restore progress (bytes of binlog replayed), e.g. for a progress bar.</summary>
    public IProgress<RestoreProgress>? Progress { get; init; }

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ArchiveDirectory, nameof(ArchiveDirectory));
        ArgumentException.ThrowIfNullOrWhiteSpace(ScratchConnectionString, nameof(ScratchConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(CompareConnectionString, nameof(CompareConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(Channel, nameof(Channel));
    }
}

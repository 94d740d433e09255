using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>CHECKSUM TABLE of one table on the standby and on the scratch restore (null: the table is missing there).</summary>
public sealed record DrillTableResult(TableName Table, string? StandbyChecksum, string? ScratchChecksum)
{
    public bool Matches => StandbyChecksum is not null && string.Equals(StandbyChecksum, ScratchChecksum, StringComparison.Ordinal);

    /// <summary>"match", "differs", "missing on scratch", "only on scratch".</summary>
    public string Status => (StandbyChecksum, ScratchChecksum) switch
    {
        (null, _) => "only on scratch",
        (_, null) => "missing on scratch",
        _ when Matches => "match",
        _ => "differs",
    };
}

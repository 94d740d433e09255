using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Standby.Compare;

/// <summary>The result of a compare run.</summary>
/// <param name="Tables">One entry per table, sorted by name.</param>
/// <param name="SourcePosition">The source position the comparison was made at.</param>
/// <param name="TargetPosition">The standby's applied position in its snapshot (null without a position table).</param>
/// <param name="AtCommonPosition">True when both snapshots were at the same position.</param>
public sealed record CompareReport(IReadOnlyList<TableComparison> Tables, StandbyPosition SourcePosition, StandbyPosition? TargetPosition, bool AtCommonPosition)
{
    public bool IsEqual => Tables.All(t => t.IsEqual);

    public IEnumerable<TableComparison> Differences => Tables.Where(t => !t.IsEqual);
}

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// A reusable holder for one row change of a rows event: WRITE fills <see cref="After"/>, DELETE
/// fills <see cref="Before"/>, UPDATE (and PARTIAL_UPDATE) fill both.
/// </summary>
public sealed class RowChange
{
    public RowImage Before { get; } = new();

    public RowImage After { get; } = new();

    public bool HasBefore { get; internal set; }

    public bool HasAfter { get; internal set; }
}

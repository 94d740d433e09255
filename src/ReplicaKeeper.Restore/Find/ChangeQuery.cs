namespace ReplicaKeeper.Restore.Find;

/// <summary>What <see cref="RowChangeFinder"/> looks for: one table ("schema.table"), a row filter, an operation, a time window.</summary>
public sealed record ChangeQuery(string Table, RowFilter Filter, RowOperation? Operation = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null)
{
    public string Schema => Table.Split('.', 2)[0];

    public string TableName => Table.Contains('.', StringComparison.Ordinal) ? Table.Split('.', 2)[1] : Table;

    /// <summary>True for the whole-second-or-better window test used to skip segments by their index times.</summary>
    internal bool MayOverlap(DateTimeOffset? first, DateTimeOffset? last)
    {
        // Index times are event timestamps (whole seconds): widen by a second on both sides.
        if (Since is { } since && last is { } l && l.AddSeconds(1) < since)
        {
            return false;
        }

        return Until is not { } until || first is not { } f || f.AddSeconds(-1) <= until;
    }
}

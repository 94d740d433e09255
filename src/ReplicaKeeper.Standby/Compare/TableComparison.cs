using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Compare;

/// <summary>The outcome for one table.</summary>
public enum TableStatus
{
    Equal,
    MissingOnTarget,
    MissingOnSource,
    ColumnsDiffer,
    RowsDiffer,
}

/// <summary>One differing row, named by its key ("id=5").</summary>
/// <param name="Key">The key columns and values (or the whole row for tables without a key).</param>
/// <param name="Kind">"missing on target", "extra on target" or "differs".</param>
public sealed record RowDifference(string Key, string Kind)
{
    public override string ToString() => $"{Key} ({Kind})";
}

/// <summary>The comparison of one table.</summary>
public sealed record TableComparison
{
    public required TableName Table { get; init; }

    public required TableStatus Status { get; init; }

    public long? SourceRows { get; init; }

    public long? TargetRows { get; init; }

    public string? SourceChecksum { get; init; }

    public string? TargetChecksum { get; init; }

    /// <summary>Number of differing rows found (missing, extra or changed), when narrowed down.</summary>
    public long DifferingRows { get; init; }

    /// <summary>The first differing keys.</summary>
    public IReadOnlyList<RowDifference> FirstDifferences { get; init; } = [];

    /// <summary>Free text (column differences, why keys could not be named).</summary>
    public string? Detail { get; init; }

    public bool IsEqual => Status == TableStatus.Equal;

    public override string ToString()
    {
        var text = Status switch
        {
            TableStatus.Equal => $"{Table}: equal",
            TableStatus.MissingOnTarget => $"{Table}: missing on target",
            TableStatus.MissingOnSource => $"{Table}: exists only on target",
            TableStatus.ColumnsDiffer => $"{Table}: columns differ",
            _ => $"{Table}: rows differ",
        };
        var parts = new List<string>();
        if (SourceRows is not null || TargetRows is not null)
        {
            parts.Add($"rows source={SourceRows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} target={TargetRows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}");
        }

        if (SourceChecksum is not null && SourceChecksum != TargetChecksum)
        {
            parts.Add($"checksum source={SourceChecksum} target={TargetChecksum ?? "?"}");
        }

        if (DifferingRows > 0)
        {
            parts.Add($"{DifferingRows} differing row(s), first: {string.Join("; ", FirstDifferences)}");
        }

        if (Detail is not null)
        {
            parts.Add(Detail);
        }

        return parts.Count == 0 || Status == TableStatus.Equal ? text : text + " (" + string.Join(", ", parts) + ")";
    }
}

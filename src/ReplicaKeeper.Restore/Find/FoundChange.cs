namespace ReplicaKeeper.Restore.Find;

/// <summary>
/// One matching row change: its transaction (GTID, commit time), where the rows event is, the
/// statement that caused it (ROWS_QUERY / ANNOTATE_ROWS, when the server logged it), and the row
/// images as column name → value text (null = SQL NULL). Images are in column order.
/// </summary>
public sealed record FoundChange(
    string? Gtid,
    DateTimeOffset CommitTime,
    bool HasMicroseconds,
    string File,
    long Position,
    string Table,
    RowOperation Operation,
    string? Statement,
    IReadOnlyList<KeyValuePair<string, string?>>? Before,
    IReadOnlyList<KeyValuePair<string, string?>>? After);

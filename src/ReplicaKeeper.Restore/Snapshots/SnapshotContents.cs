namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>First record of a snapshot stream: what it is and which source position it corresponds to.</summary>
internal sealed record SnapshotHeader(string Id, string Format, bool IsMariaDb, string? ServerVersion, DateTimeOffset TakenAt, SnapshotPosition Position, SnapshotPosition? IdempotentUntil);

/// <summary>A schema, view or trigger and the statement that creates it.</summary>
internal sealed record SnapshotObject(string Schema, string Name, string CreateSql);

/// <summary>
/// A stored procedure, function or event: its CREATE text (definer removed) and the session settings it was defined
/// under, as <c>SHOW CREATE PROCEDURE/FUNCTION/EVENT</c> give them: <paramref name="SqlMode"/> (changes what the body
/// means), <paramref name="CollationConnection"/> (the character set and collation of its string literals),
/// <paramref name="CharacterSetClient"/> (recorded; the text itself is carried as Unicode), <paramref name="TimeZone"/>
/// (events: how STARTS/ENDS/AT are read) and, for events, the <paramref name="Status"/> it had on the standby.
/// </summary>
internal sealed record SnapshotDefinition(
    string Kind,
    string Schema,
    string Name,
    string CreateSql,
    string? SqlMode,
    string? CharacterSetClient,
    string? CollationConnection,
    string? TimeZone,
    string? Status);

/// <summary>A table: its CREATE TABLE text and the stored columns each row carries, in order.</summary>
internal sealed record SnapshotTable(string Schema, string Name, string CreateSql, IReadOnlyList<SnapshotColumn> Columns);

/// <summary>A stored column and how its values are written back (see <see cref="SnapshotColumnKind"/>).</summary>
internal sealed record SnapshotColumn(string Name, SnapshotColumnKind Kind);

/// <summary>Row count of a table (TableEnd) or of the whole snapshot (End).</summary>
internal sealed record SnapshotTableEnd(long Rows, int Tables = 0);

/// <summary>
/// How a column's value is read and written back exactly. Every value is read as the server's own text of it
/// (<c>CAST(col AS BINARY)</c>, session time zone UTC) and kept as bytes; on load it becomes a literal:
/// </summary>
internal enum SnapshotColumnKind
{
    /// <summary>Integers, DECIMAL, DOUBLE, YEAR: the text as a numeric literal (DECIMAL text is exact, DOUBLE text round-trips).</summary>
    Number,

    /// <summary>FLOAT: read widened to DOUBLE (exact) so its text round-trips to the same FLOAT.</summary>
    Float,

    /// <summary>MySQL JSON: the JSON text as utf8mb4 (a binary string is not valid JSON input).</summary>
    Json,

    /// <summary>Everything else (strings in the column's own charset, BLOBs, BIT, dates and times, ENUM/SET, geometry): X'hex'.</summary>
    Bytes,
}

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// The standby's data does not match the source's change: a row to update or delete is missing, or a row to insert
/// already exists. The standby was changed behind the applier's back (or seeded wrongly); nothing of the transaction
/// was applied.
/// </summary>
public sealed class StandbyConflictException : Exception
{
    public StandbyConflictException()
    {
    }

    public StandbyConflictException(string message)
        : base(message)
    {
    }

    public StandbyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StandbyConflictException(string? transaction, string table, string key, string problem, Exception? innerException = null)
        : base($"Conflict in source transaction {transaction ?? "(no GTID)"} on table {table}: {problem} ({key}). " +
            "The standby was changed outside the applier. Fix the row (or re-seed with `replicakeeper standby init`), " +
            "or rerun with --on-conflict=overwrite to force the source's version.", innerException)
    {
        Transaction = transaction;
        Table = table;
        Key = key;
    }

    /// <summary>GTID (or binlog file:offset) of the source transaction.</summary>
    public string? Transaction { get; }

    /// <summary>"db.table".</summary>
    public string? Table { get; }

    /// <summary>The row's key as "col=value, ...".</summary>
    public string? Key { get; }
}

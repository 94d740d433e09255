using MySqlConnector;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// What a queued row statement must change on the target, and how to name its rows when it does not: an UPDATE or
/// DELETE that finds fewer rows than the source changed, or an INSERT that hits an existing key, is a conflict.
/// The key text is built only then.
/// </summary>
internal sealed class RowCheck
{
    private readonly Func<IReadOnlyList<object[]>, string> _describe;

    public RowCheck(string operation, string? transaction, string table, IReadOnlyList<object[]> rows, long expected, Func<IReadOnlyList<object[]>, string> describe)
    {
        Operation = operation;
        Transaction = transaction;
        Table = table;
        Rows = rows;
        Expected = expected;
        _describe = describe;
    }

    /// <summary>INSERT, UPDATE or DELETE.</summary>
    public string Operation { get; }

    public string? Transaction { get; }

    public string Table { get; }

    public IReadOnlyList<object[]> Rows { get; }

    /// <summary>Rows the statement must change (-1: not checked, e.g. INSERT, whose conflict is a duplicate key).</summary>
    public long Expected { get; }

    /// <summary>Throws the conflict when the statement changed fewer rows than it had to.</summary>
    public void Verify(long affected)
    {
        if (Expected < 0 || affected >= Expected)
        {
            return;
        }

        var problem = Operation switch
        {
            "UPDATE" => "UPDATE found no row to update",
            "DELETE" when Expected == 1 => "DELETE found no row to delete",
            _ => $"{Operation} found {affected} of {Expected} rows",
        };
        throw new StandbyConflictException(Transaction, Table, _describe(Rows), problem);
    }

    /// <summary>The conflict for an INSERT whose key exists on the target.</summary>
    public StandbyConflictException DuplicateKey(MySqlException e) =>
        new(Transaction, Table, _describe(Rows), $"{Operation} found an existing row: {e.Message}", e);
}

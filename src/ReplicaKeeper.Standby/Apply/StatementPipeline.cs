using MySqlConnector;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// The statements of the open target transaction, queued on the client and sent together as one
/// <see cref="MySqlBatch"/>: one multi-statement COM_QUERY, one round trip, instead of one round trip per statement.
/// Values stay typed <see cref="MySqlParameter"/>s that MySqlConnector encodes (never text we format).
/// <para>
/// The server runs the statements in order and stops at the first error, so nothing after a failed statement runs.
/// Every statement declares how many rows it must change; the server reports one total for the batch, so a batch
/// with row checks starts with <c>SAVEPOINT</c>, and when its total falls short (an UPDATE or DELETE found no row) or
/// a statement fails with a duplicate key, the batch is rolled back to the savepoint and its statements are run again
/// one at a time to name the one that conflicts (<see cref="RowCheck"/>), exactly as a statement-at-a-time applier
/// would, before anything commits.
/// </para>
/// </summary>
internal sealed class StatementPipeline
{
    /// <summary>Statements per round trip.</summary>
    public const int MaxStatements = 2000;

    /// <summary>Estimated bytes per round trip (well under every max_allowed_packet default: 4 MiB).</summary>
    public const long MaxBytes = 2 << 20;

    private const string Savepoint = "replicakeeper_batch";

    private readonly MySqlConnection _connection;
    private readonly List<Entry> _entries = [];
    private long _bytes;
    private bool _counted;
    private bool _uncounted;
    private bool _checked;

    public StatementPipeline(MySqlConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Statements queued and not yet sent.</summary>
    public int Count => _entries.Count;

    /// <summary>True when the queued statements should be sent before more are added.</summary>
    public bool IsFull => _entries.Count >= MaxStatements || _bytes >= MaxBytes;

    /// <summary>True when a queued statement's row count must be checked before the transaction may commit.</summary>
    public bool HasCountChecks => _counted;

    /// <summary>Round trips made (batches sent).</summary>
    public long RoundTrips { get; private set; }

    /// <summary>
    /// Queues a statement that must change exactly <paramref name="expectedRows"/> rows (-1: any number, e.g. INSERT
    /// IGNORE; not allowed in a batch with count checks). <paramref name="check"/> names the rows when it conflicts.
    /// Parameters are added with <see cref="Add(MySqlBatchCommand, object?)"/> (positional <c>?</c>) or by name.
    /// </summary>
    public MySqlBatchCommand Add(string sql, long expectedRows = 0, RowCheck? check = null)
    {
        var command = new MySqlBatchCommand(sql);
        _entries.Add(new Entry(command, expectedRows, check));
        _bytes += sql.Length + 1;
        _uncounted |= expectedRows < 0;
        _counted |= check?.Expected >= 0;
        _checked |= check is not null;
        return command;
    }

    /// <summary>Adds a positional parameter to a queued statement.</summary>
    public void Add(MySqlBatchCommand command, object? value)
    {
        // the type set first spares MySqlConnector its per-value type lookup; the text it writes depends only on the
        // value's .NET type
        command.Parameters.Add(new MySqlParameter { MySqlDbType = TypeOf(value), Value = value });
        _bytes += EstimatedSize(value);
    }

    private static MySqlDbType TypeOf(object? value) => value switch
    {
        long => MySqlDbType.Int64,
        ulong => MySqlDbType.UInt64,
        string => MySqlDbType.VarChar,
        byte[] => MySqlDbType.Blob,
        double => MySqlDbType.Double,
        float => MySqlDbType.Float,
        _ => MySqlDbType.VarChar,
    };

    /// <summary>Forgets the queued statements without sending them.</summary>
    public void Clear()
    {
        _entries.Clear();
        _bytes = 0;
        _counted = false;
        _uncounted = false;
        _checked = false;
    }

    /// <summary>
    /// Sends the queued statements in one round trip (with <paramref name="commit"/>: and commits, in the same round
    /// trip when no row count needs checking first). A conflict is a <see cref="StandbyConflictException"/> naming the
    /// source transaction, table and key; other server errors propagate. Either way the queue is empty afterwards and
    /// the target transaction must be rolled back after an error.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct, bool commit = false)
    {
        if (_entries.Count == 0 && !commit)
        {
            return;
        }

        if (_counted && _uncounted)
        {
            throw new InvalidOperationException("A batch with row-count checks may only hold statements whose row count is known.");
        }

        var entries = _entries.ToList();
        var counted = _counted;
        var savepoint = _checked;
        Clear();
        if (savepoint)
        {
            // after the START TRANSACTION that may open the batch
            var at = entries.Count > 0 && entries[0].Command.CommandText == "START TRANSACTION" ? 1 : 0;
            entries.Insert(at, new Entry(new MySqlBatchCommand("SAVEPOINT " + Savepoint), 0, null));
        }

        var commitInBatch = commit && !counted;
        if (commitInBatch)
        {
            entries.Add(new Entry(new MySqlBatchCommand("COMMIT"), 0, null));
        }

        long affected;
        try
        {
            await using var batch = new MySqlBatch(_connection);
            foreach (var entry in entries)
            {
                batch.BatchCommands.Add(entry.Command);
            }

            RoundTrips++;
            affected = await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (MySqlException e) when (savepoint && e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            await FindConflictAsync(entries, ct).ConfigureAwait(false);
            throw;
        }

        if (counted && affected != entries.Sum(e => e.ExpectedRows))
        {
            await FindConflictAsync(entries, ct).ConfigureAwait(false);
            throw new StandbyApplyException($"A batch of {entries.Count} statements changed {affected} rows where {entries.Sum(e => e.ExpectedRows)} were expected, but run one by one each changed what it should. Nothing of it is committed.");
        }

        if (commit && !commitInBatch)
        {
            RoundTrips++;
            await using var command = new MySqlCommand("COMMIT", _connection);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rolls the batch back to its savepoint and runs its statements one at a time until one conflicts; throws that
    /// conflict. Returns when none does.
    /// </summary>
    private async Task FindConflictAsync(List<Entry> entries, CancellationToken ct)
    {
        await using (var rollback = new MySqlCommand("ROLLBACK TO SAVEPOINT " + Savepoint, _connection))
        {
            await rollback.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var started = false;
        foreach (var entry in entries)
        {
            if (!started)
            {
                started = entry.Command.CommandText == "SAVEPOINT " + Savepoint;
                continue;
            }

            if (entry.Command.CommandText == "COMMIT")
            {
                break;
            }

            await using var command = new MySqlCommand(entry.Command.CommandText, _connection);
            foreach (MySqlParameter parameter in entry.Command.Parameters)
            {
                command.Parameters.Add(new MySqlParameter { ParameterName = parameter.ParameterName, Value = parameter.Value });
            }

            long affected;
            try
            {
                affected = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && entry.Check is { } check)
            {
                throw check.DuplicateKey(e);
            }

            entry.Check?.Verify(affected);
        }
    }

    /// <summary>Bytes a value adds to the statement text, about (strings as UTF-8 with escapes, bytes as escaped binary).</summary>
    internal static long EstimatedSize(object? value) => value switch
    {
        string text => (text.Length * 3L) + 3,
        byte[] bytes => (bytes.Length * 2L) + 10,
        _ => 24,
    };

    private sealed record Entry(MySqlBatchCommand Command, long ExpectedRows, RowCheck? Check);
}

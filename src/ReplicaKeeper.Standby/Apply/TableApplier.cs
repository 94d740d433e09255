using System.Globalization;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Applies the row changes of one table to the target, in source order. Consecutive rows events of the same kind,
/// row-image shape and source transaction are queued (<see cref="AddAsync"/>) and written together
/// (<see cref="FlushAsync"/>): one multi-row INSERT (REPLACE when overwriting), one <c>DELETE ... WHERE key IN (...)</c>
/// for a one-column key, otherwise one statement per row (UPDATE, DELETE). Rows are located by the target table's
/// primary key, else a NOT NULL unique key, else the whole before image (NULL-safe <c>&lt;=&gt;</c>, LIMIT 1). Values
/// are parameters (<see cref="RowValues"/>).
/// <para>
/// Batched (the default), the statements join the transaction's <see cref="StatementPipeline"/> and go to the server
/// with the rest of the group in one round trip; their affected-row counts are checked there. Otherwise (and always
/// when overwriting, where a missing row turns an UPDATE into an INSERT) each statement runs on its own, prepared once
/// per shape (binary protocol) and reused. Built for one table definition; rebuilt after DDL.
/// </para>
/// </summary>
internal sealed class TableApplier : IAsyncDisposable
{
    /// <summary>Rows per statement (a statement may have at most 65 535 placeholders).</summary>
    private const int MaxBatchRows = 1000;
    private const int MaxPlaceholders = 60000;

    /// <summary>Estimated bytes of values per multi-row statement.</summary>
    private const long MaxStatementBytes = 1 << 20;

    private readonly TableInfo _table;
    private readonly ServerFlavor _flavor;
    private readonly StatementPipeline _pipeline;
    private readonly bool _batched;
    private readonly Dictionary<string, MySqlCommand> _prepared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _batchSql = new(StringComparer.Ordinal);
    private readonly List<object[]> _before = [];
    private readonly List<object[]> _after = [];
    private TableMapEvent? _mappedMap;
    private TableMapEvent? _incompleteMap;
    private TableMapEvent? _completedMap;
    private MappedColumn[] _mapped = [];
    private RowsEventKind _kind;
    private string? _gtid;
    private ConflictPolicy _policy;
    private byte[] _shape = [];

    public TableApplier(TableInfo table, ServerFlavor flavor, StatementPipeline pipeline, bool batched)
    {
        _table = table;
        _flavor = flavor;
        _pipeline = pipeline;
        _batched = batched;
    }

    public TableInfo Table => _table;

    /// <summary>Rows queued and not yet written.</summary>
    public int PendingRows => Math.Max(_before.Count, _after.Count);

    /// <summary>Queues the event's rows; writes what was queued first when this event cannot join it.</summary>
    public async Task AddAsync(RowsEvent rows, MySqlConnection connection, string? gtid, ConflictPolicy policy, CancellationToken ct)
    {
        rows = Completed(rows);
        var columns = MapColumns(rows.Table);
        var kind = rows.Kind == RowsEventKind.PartialUpdate ? RowsEventKind.Update : rows.Kind;
        var shape = Shape(rows);
        if (PendingRows > 0 && (kind != _kind || gtid != _gtid || policy != _policy || !ReferenceEquals(columns, _mapped) || !shape.AsSpan().SequenceEqual(_shape)))
        {
            await FlushAsync(connection, ct).ConfigureAwait(false);
        }

        _kind = kind;
        _gtid = gtid;
        _policy = policy;
        _mapped = columns;
        _shape = shape;
        var change = new RowChange();
        var reader = rows.GetRows();
        while (reader.Read(change))
        {
            if (change.HasBefore)
            {
                _before.Add(Values(change.Before, columns));
            }

            if (change.HasAfter)
            {
                _after.Add(Values(change.After, columns));
            }

            if (PendingRows >= MaxBatchRows)
            {
                await FlushAsync(connection, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes the queued rows (batched: queues their statements in the pipeline, which sends them when full).</summary>
    public async Task FlushAsync(MySqlConnection connection, CancellationToken ct)
    {
        if (PendingRows == 0)
        {
            return;
        }

        try
        {
            if (_batched && _policy != ConflictPolicy.Overwrite)
            {
                await QueueAsync(ct).ConfigureAwait(false);
                return;
            }

            // statements queued before these rows go first
            await _pipeline.FlushAsync(ct).ConfigureAwait(false);
            switch (_kind)
            {
                case RowsEventKind.Write:
                    await InsertAsync(_after, connection, _policy, ct).ConfigureAwait(false);
                    break;
                case RowsEventKind.Delete:
                    await DeleteAsync(connection, ct).ConfigureAwait(false);
                    break;
                default:
                    for (var i = 0; i < _before.Count; i++)
                    {
                        await UpdateAsync(_before[i], _after[i], connection, ct).ConfigureAwait(false);
                    }

                    break;
            }
        }
        finally
        {
            Discard();
        }
    }

    /// <summary>The queued rows as statements of the pipeline (which is sent whenever it fills up).</summary>
    private async Task QueueAsync(CancellationToken ct)
    {
        var check = _policy == ConflictPolicy.Stop;
        var columns = _mapped;
        switch (_kind)
        {
            case RowsEventKind.Write:
            {
                var rows = _after;
                var written = WrittenColumns(rows[0]);
                var verb = _policy == ConflictPolicy.Skip ? "INSERT IGNORE" : "INSERT";
                var perStatement = RowsPerStatement(written.Length);
                for (var first = 0; first < rows.Count;)
                {
                    var count = RowsInStatement(rows, first, perStatement, written);
                    var chunk = rows.GetRange(first, count);
                    var sql = chunk.Exists(HasExpression)
                        ? InsertHead(verb, written) + string.Join(", ", chunk.Select(r =>
                        {
                            var next = 0;
                            return RowTuple(r, written, ref next, named: false);
                        }))
                        : BatchSql("I" + verb + count.ToString(CultureInfo.InvariantCulture) + Signature(written), () => InsertHead(verb, written) + PositionalTuples(count, written.Length));
                    var command = _pipeline.Add(sql, check ? count : -1, check ? new RowCheck("INSERT", _gtid, _table.Name.ToString(), chunk, -1, DescribeKeys) : null);
                    foreach (var row in chunk)
                    {
                        foreach (var w in written)
                        {
                            AddValue(command, row[w]);
                        }
                    }

                    first += count;
                    await FlushIfFullAsync(ct).ConfigureAwait(false);
                }

                break;
            }

            case RowsEventKind.Delete:
            {
                var rows = _before;
                var keyIndex = InListKeyColumn(rows);
                if (keyIndex >= 0)
                {
                    for (var first = 0; first < rows.Count; first += MaxBatchRows)
                    {
                        var count = Math.Min(MaxBatchRows, rows.Count - first);
                        var sql = BatchSql("DIN" + count.ToString(CultureInfo.InvariantCulture), () =>
                            $"DELETE FROM {_table.Name.Quoted} WHERE {SqlText.Quote(columns[keyIndex].Column.Name)} IN ({string.Join(", ", Enumerable.Repeat("?", count))})");
                        var chunk = rows.GetRange(first, count);
                        var command = _pipeline.Add(sql, check ? count : -1, check ? new RowCheck("DELETE", _gtid, _table.Name.ToString(), chunk, count, DescribeKeys) : null);
                        foreach (var row in chunk)
                        {
                            _pipeline.Add(command, row[keyIndex]);
                        }

                        await FlushIfFullAsync(ct).ConfigureAwait(false);
                    }

                    break;
                }

                var where = LocatorColumns(rows[0]);
                var deleteSql = BatchSql("D" + Signature(where), () => $"DELETE FROM {_table.Name.Quoted} WHERE {Locator(where, null)} LIMIT 1");
                foreach (var row in rows)
                {
                    var sql = HasExpression(row) ? $"DELETE FROM {_table.Name.Quoted} WHERE {Locator(where, null, row)} LIMIT 1" : deleteSql;
                    var command = _pipeline.Add(sql, check ? 1 : -1, check ? new RowCheck("DELETE", _gtid, _table.Name.ToString(), [row], 1, DescribeKeys) : null);
                    foreach (var w in where)
                    {
                        AddValue(command, row[w]);
                    }

                    await FlushIfFullAsync(ct).ConfigureAwait(false);
                }

                break;
            }

            default:
            {
                var set = SetColumns(_after[0]);
                var where = LocatorColumns(_before[0]);
                var sql = BatchSql("U" + Signature(set) + Signature(where), () => UpdateSql(set, where, null));
                for (var i = 0; i < _before.Count; i++)
                {
                    var rowSql = HasExpression(_after[i]) || HasExpression(_before[i]) ? UpdateSql(set, where, null, _after[i], _before[i]) : sql;
                    var command = _pipeline.Add(rowSql, check ? 1 : -1, check ? new RowCheck("UPDATE", _gtid, _table.Name.ToString(), [_before[i]], 1, DescribeKeys) : null);
                    foreach (var s in set)
                    {
                        AddValue(command, _after[i][s]);
                    }

                    foreach (var w in where)
                    {
                        AddValue(command, _before[i][w]);
                    }

                    await FlushIfFullAsync(ct).ConfigureAwait(false);
                }

                break;
            }
        }
    }

    private async Task FlushIfFullAsync(CancellationToken ct)
    {
        if (_pipeline.IsFull)
        {
            await _pipeline.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private string BatchSql(string key, Func<string> sql)
    {
        if (!_batchSql.TryGetValue(key, out var text))
        {
            _batchSql[key] = text = sql();
        }

        return text;
    }

    /// <summary>Forgets the queued rows (their transaction is rolled back).</summary>
    public void Discard()
    {
        _before.Clear();
        _after.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        _prepared.Clear();
    }

    /// <summary>
    /// The event decoded with what its table map does not say taken from the target's table, column by column:
    /// signedness (MariaDB's binlog_row_metadata=NO_LOG logs none, and UNSIGNED maxima would read as negative numbers)
    /// and character sets (without them latin1 text and binary strings cannot be told apart from UTF-8 text).
    /// </summary>
    private RowsEvent Completed(RowsEvent rows)
    {
        var map = rows.Table;
        if (map.HasSignedness && !map.HasUnknownCollations)
        {
            return rows;
        }

        if (!ReferenceEquals(map, _incompleteMap))
        {
            var columns = _table.Columns;
            var completed = map.HasSignedness ? map : map.WithSignedness(columns.Select(c => c.IsUnsigned).ToList());
            _completedMap = completed.HasUnknownCollations ? completed.WithCollations(columns.Select(c => c.CollationId).ToList()) : completed;
            _incompleteMap = map;
        }

        return rows.WithTable(_completedMap!);
    }

    /// <summary>Which columns the event's images carry: rows with the same shape make the same statement.</summary>
    private static byte[] Shape(RowsEvent rows)
    {
        var before = rows.ColumnsPresent.Span;
        var after = rows.ColumnsPresentAfter.Span;
        var shape = new byte[before.Length + after.Length];
        before.CopyTo(shape);
        after.CopyTo(shape.AsSpan(before.Length));
        return shape;
    }

    /// <summary>Binlog column index → target column, for the columns present in the event and written by us.</summary>
    private MappedColumn[] MapColumns(TableMapEvent map)
    {
        if (_mappedMap is { } previous && (ReferenceEquals(previous, map) || SameColumns(previous, map)))
        {
            _mappedMap = map;
            return _mapped;
        }

        var mapped = new List<MappedColumn>();
        for (var i = 0; i < map.ColumnCount; i++)
        {
            var definition = map.Columns[i];
            var name = definition.Name ?? (i < _table.Columns.Count ? _table.Columns[i].Name : null)
                ?? throw new StandbyApplyException($"Table {_table.Name} has {_table.Columns.Count} columns on the target but the source's change has {map.ColumnCount}.");
            var column = _table.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new StandbyApplyException($"Column {name} of {_table.Name} is missing on the target (the table definitions differ).");
            mapped.Add(new MappedColumn(i, column));
        }

        _mappedMap = map;
        _mapped = [.. mapped];
        return _mapped;
    }

    private static bool SameColumns(TableMapEvent a, TableMapEvent b)
    {
        if (a.ColumnCount != b.ColumnCount)
        {
            return false;
        }

        for (var i = 0; i < a.ColumnCount; i++)
        {
            if (!string.Equals(a.Columns[i].Name, b.Columns[i].Name, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private object[] Values(RowImage image, MappedColumn[] columns)
    {
        var values = new object[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var index = columns[i].BinlogIndex;
            if (!image.IsPresent(index))
            {
                values[i] = Absent.Value;
                continue;
            }

            // MySQL's JSON text loses DECIMAL and temporal scalars (they come back as DOUBLE and string)
            values[i] = _flavor == ServerFlavor.MySql && image[index].Kind is ValueKind.Json or ValueKind.JsonDiff && !image.IsUnresolvedJsonDiff(index)
                ? (object?)JsonExpressionValue.From(image, index) ?? RowValues.ToParameter(image, index)
                : RowValues.ToParameter(image, index);
        }

        return values;
    }

    private static bool HasExpression(object[] row) => Array.Exists(row, v => v is JsonExpressionValue);

    /// <summary>
    /// The SQL standing for one value: a placeholder (positional <c>?</c>, or @pN counting from <paramref name="next"/>
    /// when <paramref name="named"/>) or a JSON expression's; <paramref name="next"/> advances by its parameters.
    /// </summary>
    private static string Slot(object value, ref int next, bool named)
    {
        if (value is JsonExpressionValue expression)
        {
            var sql = named ? expression.Named(next) : expression.Sql;
            next += expression.Values.Length;
            return sql;
        }

        return named ? "@p" + (next++).ToString(CultureInfo.InvariantCulture) : "?";
    }

    /// <summary>Adds a value's positional parameters to a queued statement (a JSON expression's values in order).</summary>
    private void AddValue(MySqlBatchCommand command, object value)
    {
        if (value is JsonExpressionValue expression)
        {
            foreach (var v in expression.Values)
            {
                _pipeline.Add(command, v);
            }

            return;
        }

        _pipeline.Add(command, value);
    }

    /// <summary>Adds the values as parameters @p0.. of a statement built for them (JSON expressions expanded).</summary>
    private static void AddValues(MySqlCommand command, IEnumerable<object> values)
    {
        foreach (var value in values)
        {
            foreach (var v in value is JsonExpressionValue expression ? expression.Values : [value])
            {
                command.Parameters.Add(new MySqlParameter("@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture), v));
            }
        }
    }

    /// <summary>One row's VALUES tuple of <paramref name="written"/>, placeholders from <paramref name="next"/>.</summary>
    private static string RowTuple(object[] row, int[] written, ref int next, bool named)
    {
        var tuple = new StringBuilder("(");
        for (var w = 0; w < written.Length; w++)
        {
            tuple.Append(w == 0 ? "" : ", ").Append(Slot(row[written[w]], ref next, named));
        }

        return tuple.Append(')').ToString();
    }

    private int[] WrittenColumns(object[] row)
    {
        var columns = _mapped;
        return Enumerable.Range(0, columns.Length).Where(i => !columns[i].Column.IsGenerated && row[i] is not Absent).ToArray();
    }

    private int[] SetColumns(object[] after) => WrittenColumns(after);

    private string InsertHead(string verb, int[] written) =>
        new StringBuilder(verb).Append(" INTO ").Append(_table.Name.Quoted).Append(" (")
            .Append(SqlText.QuoteList(written.Select(i => _mapped[i].Column.Name))).Append(") VALUES ").ToString();

    private static int RowsPerStatement(int columns) => Math.Max(1, Math.Min(MaxBatchRows, MaxPlaceholders / Math.Max(1, columns)));

    /// <summary>How many rows from <paramref name="first"/> go into one multi-row statement: up to the placeholder and size limits.</summary>
    private static int RowsInStatement(List<object[]> rows, int first, int perStatement, int[] written)
    {
        long bytes = 0;
        var count = 0;
        while (first + count < rows.Count && count < perStatement)
        {
            foreach (var w in written)
            {
                var value = rows[first + count][w];
                bytes += value is JsonExpressionValue expression ? expression.EstimatedSize : StatementPipeline.EstimatedSize(value);
            }

            count++;
            if (bytes >= MaxStatementBytes)
            {
                break;
            }
        }

        return count;
    }

    private static string PositionalTuples(int rows, int columns)
    {
        var tuple = "(" + string.Join(", ", Enumerable.Repeat("?", columns)) + ")";
        return string.Join(", ", Enumerable.Repeat(tuple, rows));
    }

    private async Task InsertAsync(List<object[]> rows, MySqlConnection connection, ConflictPolicy policy, CancellationToken ct)
    {
        var written = WrittenColumns(rows[0]);
        var verb = policy switch { ConflictPolicy.Overwrite => "REPLACE", ConflictPolicy.Skip => "INSERT IGNORE", _ => "INSERT" };
        var head = InsertHead(verb, written);
        var perStatement = RowsPerStatement(written.Length);
        for (var first = 0; first < rows.Count;)
        {
            var count = RowsInStatement(rows, first, perStatement, written);
            try
            {
                if (count == 1 && !HasExpression(rows[first]))
                {
                    var command = await PreparedAsync("I " + verb + Signature(written), connection, ct, () => head + Tuple(0, written.Length), written.Length).ConfigureAwait(false);
                    for (var w = 0; w < written.Length; w++)
                    {
                        command.Parameters[w].Value = rows[first][written[w]];
                    }

                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    first += count;
                    continue;
                }

                await using var batch = new MySqlCommand { Connection = connection };
                var sql = new StringBuilder(head);
                for (var r = 0; r < count; r++)
                {
                    var next = batch.Parameters.Count;
                    sql.Append(r == 0 ? "" : ", ").Append(RowTuple(rows[first + r], written, ref next, named: true));
                    AddValues(batch, written.Select(w => rows[first + r][w]));
                }

                batch.CommandText = sql.ToString();
                await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                first += count;
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
            {
                throw new StandbyConflictException(_gtid, _table.Name.ToString(), DescribeKeys(rows.GetRange(first, count)), $"INSERT found an existing row: {e.Message}", e);
            }
        }
    }

    private static string Tuple(int firstParameter, int count)
    {
        var builder = new StringBuilder("(");
        for (var i = 0; i < count; i++)
        {
            builder.Append(i == 0 ? "@p" : ", @p").Append((firstParameter + i).ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append(')').ToString();
    }

    /// <summary>
    /// The UPDATE for this shape (placeholders @pN from <paramref name="firstParameter"/>, or positional ? when null);
    /// given the rows, their JSON expressions stand in for their values (and shift the numbering).
    /// </summary>
    private string UpdateSql(int[] set, int[] where, int? firstParameter, object[]? after = null, object[]? before = null)
    {
        var sql = new StringBuilder("UPDATE ").Append(_table.Name.Quoted).Append(" SET ");
        var next = firstParameter ?? 0;
        for (var s = 0; s < set.Length; s++)
        {
            sql.Append(s == 0 ? "" : ", ").Append(SqlText.Quote(_mapped[set[s]].Column.Name)).Append(" = ")
                .Append(after is null ? Slot(0L, ref next, firstParameter is not null) : Slot(after[set[s]], ref next, firstParameter is not null));
        }

        return sql.Append(" WHERE ").Append(Locator(where, firstParameter is null ? null : next, before)).Append(" LIMIT 1").ToString();
    }

    private async Task UpdateAsync(object[] before, object[] after, MySqlConnection connection, CancellationToken ct)
    {
        var set = SetColumns(after);
        var where = LocatorColumns(before);
        if (HasExpression(after) || HasExpression(before))
        {
            await using var adHoc = new MySqlCommand(UpdateSql(set, where, 0, after, before), connection);
            AddValues(adHoc, set.Select(s => after[s]).Concat(where.Select(w => before[w])));
            await CheckUpdatedAsync(await adHoc.ExecuteNonQueryAsync(ct).ConfigureAwait(false), before, after, connection, ct).ConfigureAwait(false);
            return;
        }

        var command = await PreparedAsync("U" + Signature(set) + Signature(where), connection, ct, () => UpdateSql(set, where, 0), set.Length + where.Length).ConfigureAwait(false);
        for (var s = 0; s < set.Length; s++)
        {
            command.Parameters[s].Value = after[set[s]];
        }

        for (var w = 0; w < where.Length; w++)
        {
            command.Parameters[set.Length + w].Value = before[where[w]];
        }

        await CheckUpdatedAsync(await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false), before, after, connection, ct).ConfigureAwait(false);
    }

    private async Task CheckUpdatedAsync(int matched, object[] before, object[] after, MySqlConnection connection, CancellationToken ct)
    {
        if (matched == 0)
        {
            switch (_policy)
            {
                case ConflictPolicy.Stop:
                    throw new StandbyConflictException(_gtid, _table.Name.ToString(), DescribeKey(before), "UPDATE found no row to update");
                case ConflictPolicy.Overwrite:
                    await InsertAsync([after], connection, ConflictPolicy.Overwrite, ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// The row's column index of the table's one-column key when <paramref name="rows"/> can be deleted with one
    /// <c>DELETE ... WHERE key IN (...)</c>: several rows, each carrying its key; else -1.
    /// </summary>
    private int InListKeyColumn(List<object[]> rows)
    {
        var key = _table.RowKey;
        var keyIndex = key.Count == 1 ? Array.FindIndex(_mapped, c => string.Equals(c.Column.Name, key[0], StringComparison.OrdinalIgnoreCase)) : -1;
        return rows.Count > 1 && keyIndex >= 0 && rows.All(r => r[keyIndex] is not Absent) ? keyIndex : -1;
    }

    private async Task DeleteAsync(MySqlConnection connection, CancellationToken ct)
    {
        var rows = _before;
        var columns = _mapped;
        var keyIndex = InListKeyColumn(rows);
        if (keyIndex >= 0)
        {
            // one statement per batch; a key deleted twice in a row leaves the count short, which is the conflict it is
            for (var first = 0; first < rows.Count; first += MaxBatchRows)
            {
                var count = Math.Min(MaxBatchRows, rows.Count - first);
                await using var batch = new MySqlCommand { Connection = connection };
                var values = string.Join(", ", rows.GetRange(first, count).Select(r => Parameter(batch, r[keyIndex])));
                batch.CommandText = $"DELETE FROM {_table.Name.Quoted} WHERE {SqlText.Quote(columns[keyIndex].Column.Name)} IN ({values})";
                var deleted = await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                if (deleted != count && _policy == ConflictPolicy.Stop)
                {
                    throw new StandbyConflictException(_gtid, _table.Name.ToString(), DescribeKeys(rows.GetRange(first, count)), $"DELETE found {deleted} of {count} rows");
                }
            }

            return;
        }

        foreach (var row in rows)
        {
            var where = LocatorColumns(row);
            if (HasExpression(row))
            {
                await using var adHoc = new MySqlCommand($"DELETE FROM {_table.Name.Quoted} WHERE {Locator(where, 0, row)} LIMIT 1", connection);
                AddValues(adHoc, where.Select(w => row[w]));
                CheckDeleted(await adHoc.ExecuteNonQueryAsync(ct).ConfigureAwait(false), row);
                continue;
            }

            var command = await PreparedAsync("D" + Signature(where), connection, ct, () => $"DELETE FROM {_table.Name.Quoted} WHERE {Locator(where, 0)} LIMIT 1", where.Length).ConfigureAwait(false);
            for (var w = 0; w < where.Length; w++)
            {
                command.Parameters[w].Value = row[where[w]];
            }

            CheckDeleted(await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false), row);
        }
    }

    private void CheckDeleted(int deleted, object[] row)
    {
        if (deleted == 0 && _policy == ConflictPolicy.Stop)
        {
            throw new StandbyConflictException(_gtid, _table.Name.ToString(), DescribeKey(row), "DELETE found no row to delete");
        }
    }

    private static string Signature(int[] columns) => "(" + string.Join(',', columns) + ")";

    /// <summary>
    /// The statement for this operation and row shape (<paramref name="key"/>: the operation and the columns it sets
    /// and compares), prepared on first use and reused; its placeholders are @p0..@pN-1, values set by the caller.
    /// </summary>
    private async Task<MySqlCommand> PreparedAsync(string key, MySqlConnection connection, CancellationToken ct, Func<string> sql, int parameters)
    {
        if (!_prepared.TryGetValue(key, out var command))
        {
            command = new MySqlCommand(sql(), connection);
            for (var i = 0; i < parameters; i++)
            {
                command.Parameters.Add(new MySqlParameter("@p" + i.ToString(CultureInfo.InvariantCulture), DBNull.Value));
            }

            await command.PrepareAsync(ct).ConfigureAwait(false);
            _prepared[key] = command;
        }

        return command;
    }

    /// <summary>The columns (indexes into the row) of the WHERE condition that finds the row: its key, else every column of the before image.</summary>
    private int[] LocatorColumns(object[] before)
    {
        var key = _table.RowKey;
        var columns = _mapped;
        var parts = new List<int>();
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i].Column;
            var inKey = key.Count == 0 || key.Contains(column.Name, StringComparer.OrdinalIgnoreCase);
            if (!inKey || before[i] is Absent || (key.Count == 0 && column.IsGenerated && column.DataType is "json"))
            {
                continue;
            }

            parts.Add(i);
        }

        if (parts.Count == 0)
        {
            throw new StandbyApplyException($"Table {_table.Name}: the source's before image has none of the columns needed to find the row.");
        }

        return [.. parts];
    }

    /// <summary>
    /// The WHERE condition over <paramref name="where"/>: placeholders @pN from <paramref name="firstParameter"/>, or
    /// positional ? when null; given the row, a JSON expression is compared as it is (exactly the before document).
    /// </summary>
    private string Locator(int[] where, int? firstParameter, object[]? row = null)
    {
        var parts = new List<string>(where.Length);
        var next = firstParameter ?? 0;
        for (var w = 0; w < where.Length; w++)
        {
            var column = _mapped[where[w]].Column;
            var value = row?[where[w]];
            var placeholder = Slot(value ?? 0L, ref next, firstParameter is not null);
            parts.Add($"{SqlText.Quote(column.Name)} <=> {(value is JsonExpressionValue ? placeholder : Typed(column, placeholder))}");
        }

        return string.Join(" AND ", parts);
    }

    /// <summary>Comparisons with the column's own type (a FLOAT or DECIMAL compared with text would go through DOUBLE).</summary>
    private string Typed(ColumnInfo column, string placeholder) => column.DataType switch
    {
        "float" => $"CAST({placeholder} AS FLOAT)",
        "decimal" or "numeric" => $"CAST({placeholder} AS {DecimalType(column.ColumnType)})",
        "json" when _flavor == ServerFlavor.MySql => $"CAST({placeholder} AS JSON)",
        _ => placeholder,
    };

    private static string DecimalType(string columnType)
    {
        var open = columnType.IndexOf('(', StringComparison.Ordinal);
        var close = columnType.IndexOf(')', StringComparison.Ordinal);
        return open > 0 && close > open ? "DECIMAL" + columnType[open..(close + 1)] : "DECIMAL(65,30)";
    }

    private static string Parameter(MySqlCommand command, object value)
    {
        var name = "@p" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        command.Parameters.Add(new MySqlParameter(name, value));
        return name;
    }

    private string DescribeKey(object[] row)
    {
        var key = _table.RowKey;
        var columns = _mapped;
        var names = new List<string>();
        var values = new List<object?>();
        for (var i = 0; i < columns.Length; i++)
        {
            if ((key.Count == 0 || key.Contains(columns[i].Column.Name, StringComparer.OrdinalIgnoreCase)) && row[i] is not Absent)
            {
                names.Add(columns[i].Column.Name);
                values.Add(row[i] is DBNull ? null : row[i]);
            }
        }

        return ValueSql.DisplayKey(names, values);
    }

    private string DescribeKeys(IReadOnlyList<object[]> rows)
    {
        var shown = rows.Take(5).Select(DescribeKey);
        return string.Join("; ", shown) + (rows.Count > 5 ? $"; ... {rows.Count} rows" : "");
    }

    private readonly record struct MappedColumn(int BinlogIndex, ColumnInfo Column);

    /// <summary>Marks a column that is not in the row image (MINIMAL/NOBLOB images).</summary>
    private sealed class Absent
    {
        public static readonly Absent Value = new();
    }
}

using System.Globalization;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Applies the rows events of one table to the standby: batched multi-row INSERT (REPLACE when overwriting), UPDATE
/// and DELETE located by the standby table's primary key, else a NOT NULL unique key, else the whole before image
/// (NULL-safe <c>&lt;=&gt;</c>, LIMIT 1). Values are parameters (<see cref="RowValues"/>). Built for one table
/// definition; rebuilt after DDL.
/// </summary>
internal sealed class TableApplier
{
    private readonly TableInfo _table;
    private readonly ServerFlavor _flavor;

    public TableApplier(TableInfo table, ServerFlavor flavor)
    {
        _table = table;
        _flavor = flavor;
    }

    public TableInfo Table => _table;

    public async Task ApplyAsync(RowsEvent rows, MySqlConnection connection, MySqlTransaction transaction, string? gtid, ConflictPolicy policy, CancellationToken ct)
    {
        var columns = MapColumns(rows.Table);
        var changes = new List<(object[]? Before, object[]? After)>();
        var change = new RowChange();
        var reader = rows.GetRows();
        while (reader.Read(change))
        {
            changes.Add((change.HasBefore ? Values(change.Before, columns) : null, change.HasAfter ? Values(change.After, columns) : null));
        }

        switch (rows.Kind)
        {
            case RowsEventKind.Write:
                await InsertAsync(changes.Select(c => c.After!).ToList(), columns, connection, transaction, gtid, policy, ct).ConfigureAwait(false);
                break;
            case RowsEventKind.Delete:
                await DeleteAsync(changes.Select(c => c.Before!).ToList(), columns, connection, transaction, gtid, policy, ct).ConfigureAwait(false);
                break;
            default:
                foreach (var (before, after) in changes)
                {
                    await UpdateAsync(before!, after!, columns, connection, transaction, gtid, policy, ct).ConfigureAwait(false);
                }

                break;
        }
    }

    /// <summary>Binlog column index → standby column, for the columns present in the event and written by us.</summary>
    private MappedColumn[] MapColumns(TableMapEvent map)
    {
        var mapped = new List<MappedColumn>();
        for (var i = 0; i < map.ColumnCount; i++)
        {
            var definition = map.Columns[i];
            var name = definition.Name ?? (i < _table.Columns.Count ? _table.Columns[i].Name : null)
                ?? throw new StandbyApplyException($"Table {_table.Name} has {_table.Columns.Count} columns on the standby but the source's change has {map.ColumnCount}.");
            var column = _table.Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new StandbyApplyException($"Column {name} of {_table.Name} is missing on the standby (the table definitions differ).");
            mapped.Add(new MappedColumn(i, column));
        }

        return [.. mapped];
    }

    private static object[] Values(RowImage image, MappedColumn[] columns)
    {
        var values = new object[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            values[i] = image.IsPresent(columns[i].BinlogIndex) ? RowValues.ToParameter(image, columns[i].BinlogIndex) : Absent.Value;
        }

        return values;
    }

    private async Task InsertAsync(List<object[]> rows, MappedColumn[] columns, MySqlConnection connection, MySqlTransaction transaction, string? gtid, ConflictPolicy policy, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var written = Enumerable.Range(0, columns.Length).Where(i => !columns[i].Column.IsGenerated && rows[0][i] is not Absent).ToArray();
        var verb = policy switch { ConflictPolicy.Overwrite => "REPLACE", ConflictPolicy.Skip => "INSERT IGNORE", _ => "INSERT" };
        await using var command = new MySqlCommand { Connection = connection, Transaction = transaction };
        var sql = new StringBuilder(verb).Append(" INTO ").Append(_table.Name.Quoted).Append(" (")
            .Append(SqlText.QuoteList(written.Select(i => columns[i].Column.Name))).Append(") VALUES ");
        for (var r = 0; r < rows.Count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var w = 0; w < written.Length; w++)
            {
                sql.Append(w == 0 ? "" : ", ").Append(Parameter(command, rows[r][written[w]]));
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        try
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            throw new StandbyConflictException(gtid, _table.Name.ToString(), DescribeKeys(rows, columns), $"INSERT found an existing row: {e.Message}", e);
        }
    }

    private async Task UpdateAsync(object[] before, object[] after, MappedColumn[] columns, MySqlConnection connection, MySqlTransaction transaction, string? gtid, ConflictPolicy policy, CancellationToken ct)
    {
        await using var command = new MySqlCommand { Connection = connection, Transaction = transaction };
        var sql = new StringBuilder("UPDATE ").Append(_table.Name.Quoted).Append(" SET ");
        var first = true;
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].Column.IsGenerated || after[i] is Absent)
            {
                continue;
            }

            sql.Append(first ? "" : ", ").Append(SqlText.Quote(columns[i].Column.Name)).Append(" = ").Append(Parameter(command, after[i]));
            first = false;
        }

        sql.Append(" WHERE ").Append(Locator(command, before, columns)).Append(" LIMIT 1");
        command.CommandText = sql.ToString();
        var matched = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        if (matched == 0)
        {
            switch (policy)
            {
                case ConflictPolicy.Stop:
                    throw new StandbyConflictException(gtid, _table.Name.ToString(), DescribeKey(before, columns), "UPDATE found no row to update");
                case ConflictPolicy.Overwrite:
                    await InsertAsync([after], columns, connection, transaction, gtid, ConflictPolicy.Overwrite, ct).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task DeleteAsync(List<object[]> rows, MappedColumn[] columns, MySqlConnection connection, MySqlTransaction transaction, string? gtid, ConflictPolicy policy, CancellationToken ct)
    {
        var key = _table.RowKey;
        if (key.Count == 1 && rows.Count > 1)
        {
            var keyIndex = Array.FindIndex(columns, c => string.Equals(c.Column.Name, key[0], StringComparison.OrdinalIgnoreCase));
            if (keyIndex >= 0 && rows.All(r => r[keyIndex] is not Absent))
            {
                await using var batch = new MySqlCommand { Connection = connection, Transaction = transaction };
                var values = string.Join(", ", rows.Select(r => Parameter(batch, r[keyIndex])));
                batch.CommandText = $"DELETE FROM {_table.Name.Quoted} WHERE {SqlText.Quote(key[0])} IN ({values})";
                var deleted = await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                if (deleted != rows.Count && policy == ConflictPolicy.Stop)
                {
                    throw new StandbyConflictException(gtid, _table.Name.ToString(), DescribeKeys(rows, columns),
                        $"DELETE found {deleted} of {rows.Count} rows");
                }

                return;
            }
        }

        foreach (var row in rows)
        {
            await using var command = new MySqlCommand { Connection = connection, Transaction = transaction };
            command.CommandText = $"DELETE FROM {_table.Name.Quoted} WHERE {Locator(command, row, columns)} LIMIT 1";
            var deleted = await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            if (deleted == 0 && policy == ConflictPolicy.Stop)
            {
                throw new StandbyConflictException(gtid, _table.Name.ToString(), DescribeKey(row, columns), "DELETE found no row to delete");
            }
        }
    }

    /// <summary>WHERE condition that finds the row: its key columns, else every column of the before image.</summary>
    private string Locator(MySqlCommand command, object[] before, MappedColumn[] columns)
    {
        var key = _table.RowKey;
        var parts = new List<string>();
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i].Column;
            var inKey = key.Count == 0 || key.Contains(column.Name, StringComparer.OrdinalIgnoreCase);
            if (!inKey || before[i] is Absent || (key.Count == 0 && column.IsGenerated && column.DataType is "json"))
            {
                continue;
            }

            var placeholder = Parameter(command, before[i]);
            parts.Add($"{SqlText.Quote(column.Name)} <=> {Typed(column, placeholder)}");
        }

        if (parts.Count == 0)
        {
            throw new StandbyApplyException($"Table {_table.Name}: the source's before image has none of the columns needed to find the row.");
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

    private string DescribeKey(object[] row, MappedColumn[] columns)
    {
        var key = _table.RowKey;
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

    private string DescribeKeys(List<object[]> rows, MappedColumn[] columns)
    {
        var shown = rows.Take(5).Select(r => DescribeKey(r, columns));
        return string.Join("; ", shown) + (rows.Count > 5 ? $"; ... {rows.Count} rows" : "");
    }

    private readonly record struct MappedColumn(int BinlogIndex, ColumnInfo Column);

    /// <summary>Marks a column that is not in the row image (MINIMAL/NOBLOB images).</summary>
    private sealed class Absent
    {
        public static readonly Absent Value = new();
    }
}

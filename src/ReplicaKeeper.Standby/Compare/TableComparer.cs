using MySqlConnector;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Compare;

/// <summary>
/// Compares one table on two connections that each hold a consistent snapshot (queries run without a transaction
/// object; see <see cref="Seeding.ConsistentSnapshot"/>).
/// </summary>
internal sealed class TableComparer(MySqlConnection source, MySqlConnection target, CompareOptions options)
{
    public async Task<TableComparison> CompareAsync(TableName table, CancellationToken ct)
    {
        var sourceInfo = await SchemaCatalog.DescribeAsync(source, table, ct).ConfigureAwait(false);
        var targetInfo = await SchemaCatalog.DescribeAsync(target, table, ct).ConfigureAwait(false);
        if (sourceInfo is null || targetInfo is null)
        {
            return new TableComparison { Table = table, Status = sourceInfo is null ? TableStatus.MissingOnSource : TableStatus.MissingOnTarget };
        }

        var columnDifference = DescribeColumnDifference(sourceInfo, targetInfo);
        if (columnDifference is not null)
        {
            return new TableComparison { Table = table, Status = TableStatus.ColumnsDiffer, Detail = columnDifference };
        }

        if (options.Mode == CompareMode.Checksum)
        {
            var sourceChecksum = await ChecksumAsync(source, table, ct).ConfigureAwait(false);
            var targetChecksum = await ChecksumAsync(target, table, ct).ConfigureAwait(false);
            if (sourceChecksum == targetChecksum)
            {
                return new TableComparison { Table = table, Status = TableStatus.Equal, SourceChecksum = sourceChecksum, TargetChecksum = targetChecksum };
            }

            var narrowed = await CompareRowsAsync(sourceInfo, ct).ConfigureAwait(false);
            return narrowed with
            {
                Status = TableStatus.RowsDiffer,
                SourceChecksum = sourceChecksum,
                TargetChecksum = targetChecksum,
            };
        }

        return await CompareRowsAsync(sourceInfo, ct).ConfigureAwait(false);
    }

    private static string? DescribeColumnDifference(TableInfo source, TableInfo target)
    {
        var differences = new List<string>();
        var targetColumns = target.Columns.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var column in source.Columns)
        {
            if (!targetColumns.Remove(column.Name, out var other))
            {
                differences.Add($"{column.Name} missing on target");
            }
            else if (!string.Equals(column.ColumnType, other.ColumnType, StringComparison.OrdinalIgnoreCase))
            {
                differences.Add($"{column.Name} is {column.ColumnType} on source, {other.ColumnType} on target");
            }
        }

        differences.AddRange(targetColumns.Keys.Select(name => $"{name} only on target"));
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static async Task<string?> ChecksumAsync(MySqlConnection connection, TableName table, CancellationToken ct)
    {
        await using var command = new MySqlCommand($"CHECKSUM TABLE {table.Quoted}", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) && !reader.IsDBNull(1)
            ? Convert.ToString(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Chunked row hashes along the row key; differing chunks are narrowed to keys.</summary>
    private async Task<TableComparison> CompareRowsAsync(TableInfo table, CancellationToken ct)
    {
        var hashed = table.Columns;
        var key = table.RowKey;
        var rowHash = ValueSql.RowHash(hashed);
        long sourceRows = 0, targetRows = 0, differing = 0;
        var differences = new List<RowDifference>();
        if (key.Count == 0)
        {
            var whole = await AggregateAsync(source, table, rowHash, null, null, ct).ConfigureAwait(false);
            var other = await AggregateAsync(target, table, rowHash, null, null, ct).ConfigureAwait(false);
            return new TableComparison
            {
                Table = table.Name,
                Status = whole == other ? TableStatus.Equal : TableStatus.RowsDiffer,
                SourceRows = whole.Rows,
                TargetRows = other.Rows,
                Detail = whole == other ? null : "no primary or NOT NULL unique key: the differing rows cannot be named",
            };
        }

        var keyColumns = key.Select(table.Column).ToList();
        object?[]? lower = null;
        while (true)
        {
            var upper = await UpperBoundAsync(table, keyColumns, lower, ct).ConfigureAwait(false);
            var sourceChunk = await AggregateAsync(source, table, rowHash, lower, upper, ct).ConfigureAwait(false);
            var targetChunk = await AggregateAsync(target, table, rowHash, lower, upper, ct).ConfigureAwait(false);
            sourceRows += sourceChunk.Rows;
            targetRows += targetChunk.Rows;
            if (sourceChunk != targetChunk)
            {
                differing += await NarrowAsync(table, keyColumns, rowHash, lower, upper, differences, ct).ConfigureAwait(false);
            }

            if (upper is null)
            {
                break;
            }

            lower = upper;
        }

        return new TableComparison
        {
            Table = table.Name,
            Status = differing == 0 ? TableStatus.Equal : TableStatus.RowsDiffer,
            SourceRows = sourceRows,
            TargetRows = targetRows,
            DifferingRows = differing,
            FirstDifferences = differences,
        };
    }

    /// <summary>The key of the chunk's last row on the source (null: the rest of the table is the last chunk).</summary>
    private async Task<object?[]?> UpperBoundAsync(TableInfo table, IReadOnlyList<ColumnInfo> keyColumns, object?[]? lower, CancellationToken ct)
    {
        var keyNames = keyColumns.Select(c => c.Name).ToList();
        await using var command = new MySqlCommand(
            $"SELECT {string.Join(", ", keyColumns.Select(ValueSql.Read))} FROM {table.Name.Quoted}" +
            $"{RangeCondition(keyNames, lower, null, " WHERE ")} ORDER BY {SqlText.QuoteList(keyNames)} LIMIT 1 OFFSET {options.ChunkSize - 1}",
            source);
        AddBounds(command, lower, null);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var values = new object?[keyColumns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return values;
    }

    private static async Task<ChunkAggregate> AggregateAsync(MySqlConnection connection, TableInfo table, string rowHash, object?[]? lower, object?[]? upper, CancellationToken ct)
    {
        var keyNames = table.RowKey;
        await using var command = new MySqlCommand(
            "SELECT COUNT(*), " +
            "CAST(COALESCE(SUM(CAST(CONV(SUBSTRING(h, 1, 16), 16, 10) AS UNSIGNED)), 0) AS CHAR), " +
            "CAST(COALESCE(SUM(CAST(CONV(SUBSTRING(h, 17, 16), 16, 10) AS UNSIGNED)), 0) AS CHAR) " +
            $"FROM (SELECT {rowHash} AS h FROM {table.Name.Quoted}{RangeCondition(keyNames, lower, upper, " WHERE ")}) AS hashed",
            connection);
        AddBounds(command, lower, upper);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new ChunkAggregate(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2));
    }

    /// <summary>Row by row within one chunk: keys missing on the target, extra on the target, or with other values.</summary>
    private async Task<long> NarrowAsync(TableInfo table, IReadOnlyList<ColumnInfo> keyColumns, string rowHash, object?[]? lower, object?[]? upper, List<RowDifference> differences, CancellationToken ct)
    {
        var sourceRows = await RowHashesAsync(source, table, keyColumns, rowHash, lower, upper, ct).ConfigureAwait(false);
        var targetRows = await RowHashesAsync(target, table, keyColumns, rowHash, lower, upper, ct).ConfigureAwait(false);
        long count = 0;
        foreach (var (key, hash) in sourceRows)
        {
            string? kind = !targetRows.Remove(key, out var other) ? "missing on target" : other != hash ? "differs" : null;
            if (kind is not null)
            {
                count++;
                if (differences.Count < options.MaxReportedKeys)
                {
                    differences.Add(new RowDifference(key, kind));
                }
            }
        }

        foreach (var key in targetRows.Keys)
        {
            count++;
            if (differences.Count < options.MaxReportedKeys)
            {
                differences.Add(new RowDifference(key, "extra on target"));
            }
        }

        return count;
    }

    private static async Task<Dictionary<string, string>> RowHashesAsync(MySqlConnection connection, TableInfo table, IReadOnlyList<ColumnInfo> keyColumns, string rowHash, object?[]? lower, object?[]? upper, CancellationToken ct)
    {
        var keyNames = keyColumns.Select(c => c.Name).ToList();
        await using var command = new MySqlCommand(
            $"SELECT {string.Join(", ", keyColumns.Select(ValueSql.Read))}, {rowHash} FROM {table.Name.Quoted}" +
            $"{RangeCondition(keyNames, lower, upper, " WHERE ")}",
            connection);
        AddBounds(command, lower, upper);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var values = new object?[keyNames.Count];
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows[ValueSql.DisplayKey(keyNames, values)] = reader.GetString(values.Length);
        }

        return rows;
    }

    private static string RangeCondition(IReadOnlyList<string> keyNames, object?[]? lower, object?[]? upper, string prefix)
    {
        var conditions = new List<string>();
        if (lower is not null)
        {
            conditions.Add($"{SqlText.RowOf(keyNames)} > {SqlText.Placeholders("lo", keyNames.Count)}");
        }

        if (upper is not null)
        {
            conditions.Add($"{SqlText.RowOf(keyNames)} <= {SqlText.Placeholders("hi", keyNames.Count)}");
        }

        return conditions.Count == 0 ? "" : prefix + string.Join(" AND ", conditions);
    }

    private static void AddBounds(MySqlCommand command, object?[]? lower, object?[]? upper)
    {
        for (var i = 0; lower is not null && i < lower.Length; i++)
        {
            command.Parameters.AddWithValue("@lo" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), lower[i]);
        }

        for (var i = 0; upper is not null && i < upper.Length; i++)
        {
            command.Parameters.AddWithValue("@hi" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), upper[i]);
        }
    }

    private readonly record struct ChunkAggregate(long Rows, string High, string Low);
}

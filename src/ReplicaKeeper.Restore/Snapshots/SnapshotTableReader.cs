using MySqlConnector;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Reads one table inside a connection's consistent snapshot and writes it as records: Table (CREATE TABLE text and the
/// stored columns), Rows batches (each value the server's exact text or bytes, see <see cref="SnapshotColumnKind"/>),
/// TableEnd (row count). The rows are streamed: at most one batch (<see cref="SnapshotOptions.BatchBytes"/>) is held.
/// </summary>
internal static class SnapshotTableReader
{
    /// <summary>Writes <paramref name="schema"/>.<paramref name="table"/> to <paramref name="sink"/>; returns its row count.</summary>
    public static async Task<long> CopyAsync(
        MySqlConnection connection, string schema, string table, ISnapshotRecordSink sink, SnapshotOptions options, CancellationToken ct)
    {
        var create = await ShowCreateAsync(connection, "SHOW CREATE TABLE " + SqlText.Quote(schema, table), 1, ct).ConfigureAwait(false);
        var columns = await ColumnsAsync(connection, schema, table, ct).ConfigureAwait(false);
        await sink.WriteJsonAsync(SnapshotRecordType.Table, new SnapshotTable(schema, table, create, columns), ct).ConfigureAwait(false);
        var rows = await WriteRowsAsync(connection, sink, schema, table, columns, options, ct).ConfigureAwait(false);
        await sink.WriteJsonAsync(SnapshotRecordType.TableEnd, new SnapshotTableEnd(rows), ct).ConfigureAwait(false);
        return rows;
    }

    public static async Task<string> ShowCreateAsync(MySqlConnection connection, string sql, int column, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.IsDBNull(column))
        {
            throw new InvalidOperationException($"'{sql}' returned nothing (dropped during the snapshot, or the snapshot user lacks privileges on it?)");
        }

        return reader.GetString(column);
    }

    internal static SnapshotColumnKind KindOf(string dataType) => dataType.ToUpperInvariant() switch
    {
        "TINYINT" or "SMALLINT" or "MEDIUMINT" or "INT" or "INTEGER" or "BIGINT" or "DECIMAL" or "NUMERIC" or "DOUBLE" or "REAL" or "DOUBLE PRECISION" or "YEAR"
            => SnapshotColumnKind.Number,
        "FLOAT" => SnapshotColumnKind.Float,
        "JSON" => SnapshotColumnKind.Json,
        _ => SnapshotColumnKind.Bytes,
    };

    private static async Task<long> WriteRowsAsync(
        MySqlConnection connection, ISnapshotRecordSink sink, string schema, string table, IReadOnlyList<SnapshotColumn> columns, SnapshotOptions options, CancellationToken ct)
    {
        if (columns.Count == 0)
        {
            return 0;
        }

        var select = "SELECT " + string.Join(", ", columns.Select(c => c.Kind == SnapshotColumnKind.Float
            ? $"CAST({SqlText.Quote(c.Name)} + 0e0 AS BINARY)"
            : $"CAST({SqlText.Quote(c.Name)} AS BINARY)")) + " FROM " + SqlText.Quote(schema, table);
        await using var command = new MySqlCommand(select, connection);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        var batch = new MemoryStream(options.BatchBytes + (1 << 16));
        var lengthBuffer = new byte[10];
        long rows = 0;
        var inBatch = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (await reader.IsDBNullAsync(i, ct).ConfigureAwait(false))
                {
                    batch.WriteByte(0);
                    continue;
                }

                var value = reader.GetFieldValue<byte[]>(i);
                var n = SnapshotRows.WriteVarint(lengthBuffer, (ulong)value.Length + 1);
                batch.Write(lengthBuffer, 0, n);
                batch.Write(value);
            }

            rows++;
            if (++inBatch >= options.BatchRows || batch.Length >= options.BatchBytes)
            {
                await sink.WriteAsync(SnapshotRecordType.Rows, batch.GetBuffer().AsMemory(0, (int)batch.Length), ct).ConfigureAwait(false);
                batch.SetLength(0);
                inBatch = 0;
            }
        }

        if (inBatch > 0)
        {
            await sink.WriteAsync(SnapshotRecordType.Rows, batch.GetBuffer().AsMemory(0, (int)batch.Length), ct).ConfigureAwait(false);
        }

        return rows;
    }

    private static async Task<IReadOnlyList<SnapshotColumn>> ColumnsAsync(MySqlConnection connection, string schema, string table, CancellationToken ct)
    {
        var columns = new List<SnapshotColumn>();
        await using var command = new MySqlCommand(
            "SELECT COLUMN_NAME, DATA_TYPE, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @schema AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION",
            connection);
        command.Parameters.AddWithValue("@schema", schema);
        command.Parameters.AddWithValue("@table", table);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var extra = reader.IsDBNull(2) ? "" : reader.GetString(2);
            if (extra.Contains("VIRTUAL GENERATED", StringComparison.OrdinalIgnoreCase)
                || extra.Contains("STORED GENERATED", StringComparison.OrdinalIgnoreCase)
                || extra.Contains("PERSISTENT", StringComparison.OrdinalIgnoreCase))
            {
                continue; // computed by the server on load
            }

            columns.Add(new SnapshotColumn(reader.GetString(0), KindOf(reader.GetString(1))));
        }

        return columns;
    }
}

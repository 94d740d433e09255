using System.Runtime.InteropServices;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// Copies one table's rows from the source's snapshot to the target: one streamed <c>SELECT</c> in row-key order
/// (primary key, else the first unique key; tables without either in scan order), written as multi-row INSERTs of
/// typed parameters. The SELECT is a prepared statement (binary protocol); values travel as <see cref="ValueSql.Read"/>
/// reads them: integers, FLOAT/DOUBLE (exact IEEE values) and BIT as numbers;
/// DECIMAL, temporal values (zero dates, fractions, TIME beyond 24 h; TIMESTAMP in UTC on both sessions), YEAR and
/// MySQL JSON as the server's exact text; strings, ENUM and SET as text; binary strings, BLOBs and GEOMETRY (the
/// server's SRID+WKB) as bytes. Generated columns are left to the target to compute.
/// </summary>
internal sealed class TableCopier(MySqlConnection source, MySqlConnection target, int chunkRows, int chunkBytes)
{
    /// <summary>Copies <paramref name="table"/>; <paramref name="onChunk"/> gets the rows and bytes of each chunk written.</summary>
    public async Task<SeededTable> CopyAsync(TableInfo table, Action<long, long> onChunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = table.Columns.Where(c => !c.IsGenerated).ToList();
        var select = new StringBuilder("SELECT ")
            .AppendJoin(", ", columns.Select(ValueSql.Read))
            .Append(" FROM ").Append(table.Name.Quoted);
        if (table.RowKey.Count > 0)
        {
            select.Append(" ORDER BY ").Append(SqlText.QuoteList(table.RowKey));
        }

        var insertHead = $"INSERT INTO {table.Name.Quoted} ({SqlText.QuoteList(columns.Select(c => c.Name))}) VALUES ";
        var rowPlaceholders = "(" + string.Join(", ", Enumerable.Repeat("?", columns.Count)) + ")";
        var batch = new List<object[]>(Math.Min(chunkRows, 10_000));
        long batchBytes = 0;
        long rows = 0;
        long bytes = 0;

        await using var command = new MySqlCommand(select.ToString(), source) { CommandTimeout = 0 };
        // binary protocol: FLOAT and DOUBLE arrive as their IEEE bytes (the text protocol rounds FLOAT to 6 digits)
        await command.PrepareAsync(ct).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var values = new object[columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var value = ToParameter(reader.GetValue(i));
                values[i] = value;
                batchBytes += SizeOf(value);
            }

            batch.Add(values);
            if (batch.Count >= chunkRows || batchBytes >= chunkBytes)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);
        return new SeededTable(table.Name, rows, bytes);

        async Task FlushAsync()
        {
            if (batch.Count == 0)
            {
                return;
            }

            var sql = new StringBuilder(insertHead.Length + (batch.Count * (rowPlaceholders.Length + 2)));
            sql.Append(insertHead);
            await using var insert = new MySqlCommand { Connection = target, CommandTimeout = 0 };
            for (var r = 0; r < batch.Count; r++)
            {
                sql.Append(r == 0 ? "" : ", ").Append(rowPlaceholders);
                foreach (var value in batch[r])
                {
                    insert.Parameters.Add(new MySqlParameter { Value = value });
                }
            }

            insert.CommandText = sql.ToString();
            try
            {
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (MySqlException e) when (e.ErrorCode is not (MySqlErrorCode.QueryInterrupted or MySqlErrorCode.ServerShutdown))
            {
                throw new StandbySeedException($"Writing rows {rows + 1}..{rows + batch.Count} of {table.Name} to the target failed (error {(int)e.ErrorCode}: {e.Message}).", e);
            }

            rows += batch.Count;
            bytes += batchBytes;
            onChunk(batch.Count, batchBytes);
            batch.Clear();
            batchBytes = 0;
        }
    }

    /// <summary>The reader's value as the parameter that writes it back unchanged.</summary>
    private static object ToParameter(object value) => value switch
    {
        // MySQL VECTOR arrives as floats; the column takes its little-endian bytes back
        float[] vector => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray(),
        ReadOnlyMemory<float> vector => MemoryMarshal.AsBytes(vector.Span).ToArray(),
        _ => value,
    };

    private static long SizeOf(object value) => value switch
    {
        DBNull => 1,
        string text => Encoding.UTF8.GetByteCount(text),
        byte[] data => data.Length,
        _ => 8,
    };
}

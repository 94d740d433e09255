using System.Globalization;
using MySqlConnector;

namespace ReplicaKeeper.Failover.Gates;

/// <summary>Reads the standby's binlog as transactions with <c>SHOW BINARY LOGS</c> and <c>SHOW BINLOG EVENTS</c>.</summary>
public static class StandbyBinlogReader
{
    private const string PositionSchemaMarker = "(replicakeeper.";

    public static async Task<IReadOnlyList<StandbyBinlogTransaction>> ReadAsync(MySqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var files = new List<string>();
        await using (var command = new MySqlCommand("SHOW BINARY LOGS", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                files.Add(reader.GetString(0));
            }
        }

        var events = new List<BinlogEventRow>();
        foreach (var file in files)
        {
            await using var command = new MySqlCommand($"SHOW BINLOG EVENTS IN '{file.Replace("'", "''", StringComparison.Ordinal)}'", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                events.Add(new BinlogEventRow(
                    reader.GetString(0),
                    Convert.ToUInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
                    reader.GetString(2),
                    reader.IsDBNull(5) ? "" : reader.GetString(5)));
            }
        }

        return Group(events);
    }

    /// <summary>One row of <c>SHOW BINLOG EVENTS</c> (the columns this gate uses).</summary>
    public sealed record BinlogEventRow(string File, ulong Position, string EventType, string Info);

    /// <summary>Groups event rows into transactions: each starts at a GTID (or anonymous GTID) event.</summary>
    public static IReadOnlyList<StandbyBinlogTransaction> Group(IEnumerable<BinlogEventRow> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var transactions = new List<StandbyBinlogTransaction>();
        StandbyBinlogTransaction? current = null;
        foreach (var e in events)
        {
            if (e.EventType.StartsWith("Gtid", StringComparison.OrdinalIgnoreCase) && !e.EventType.Equals("Gtid_list", StringComparison.OrdinalIgnoreCase)
                || e.EventType.StartsWith("Anonymous_Gtid", StringComparison.OrdinalIgnoreCase))
            {
                if (current is not null)
                {
                    transactions.Add(current);
                }

                current = new StandbyBinlogTransaction(e.File, e.Position, GtidOf(e), false, false, null);
                continue;
            }

            if (current is null)
            {
                continue; // format description, previous GTIDs, GTID list, checkpoint, rotate
            }

            if (e.EventType.Equals("Table_map", StringComparison.OrdinalIgnoreCase) && e.Info.Contains(PositionSchemaMarker, StringComparison.Ordinal))
            {
                current = current with { WritesPositionTables = true };
            }
            else if (e.EventType.Equals("Query", StringComparison.OrdinalIgnoreCase) && !IsTransactionControl(e.Info))
            {
                current = current with { IsDdl = true, Statement = current.Statement ?? e.Info };
            }
        }

        if (current is not null)
        {
            transactions.Add(current);
        }

        return transactions;
    }

    private static bool IsTransactionControl(string info)
    {
        var text = info.Trim();
        if (text.StartsWith("use ", StringComparison.OrdinalIgnoreCase) && text.IndexOf(';', StringComparison.Ordinal) is var semi and > 0)
        {
            text = text[(semi + 1)..].Trim();
        }

        return text.Equals("BEGIN", StringComparison.OrdinalIgnoreCase)
            || text.Equals("COMMIT", StringComparison.OrdinalIgnoreCase)
            || text.Equals("ROLLBACK", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("XA ", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>MySQL: <c>SET @@SESSION.GTID_NEXT= 'uuid:n'</c>; MariaDB: <c>BEGIN GTID 0-1-5</c> or <c>GTID 0-1-5</c>.</summary>
    private static string? GtidOf(BinlogEventRow e)
    {
        var info = e.Info;
        var quote = info.IndexOf('\'', StringComparison.Ordinal);
        if (quote >= 0)
        {
            var end = info.IndexOf('\'', quote + 1);
            var value = end > quote ? info[(quote + 1)..end] : null;
            return value is null || value.Equals("ANONYMOUS", StringComparison.OrdinalIgnoreCase) ? null : value;
        }

        var tokens = info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(tokens, t => t.Equals("GTID", StringComparison.OrdinalIgnoreCase));
        return at >= 0 && at + 1 < tokens.Length ? tokens[at + 1] : null;
    }
}

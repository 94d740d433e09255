using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>CHECKSUM TABLE over every user table of an instance (inside the caller's snapshot, when one is open).</summary>
internal static class TableChecksums
{
    public static async Task<IReadOnlyDictionary<TableName, string?>> ReadAsync(MySqlConnection connection, CancellationToken ct)
    {
        var tables = await SchemaCatalog.ListTablesAsync(connection, ct).ConfigureAwait(false);
        var result = new Dictionary<TableName, string?>();
        foreach (var table in tables)
        {
            await using var command = new MySqlCommand("CHECKSUM TABLE " + table.Quoted, connection) { CommandTimeout = 0 };
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            result[table] = await reader.ReadAsync(ct).ConfigureAwait(false) && !reader.IsDBNull(1)
                ? Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)
                : null;
        }

        return result;
    }
}

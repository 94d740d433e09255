using System.Globalization;
using MySqlConnector;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>The queries the demo shows and checks with: rows as text, and order-independent table fingerprints.</summary>
internal static class DemoQueries
{
    /// <summary>Columns of each clinic table, in the order a fingerprint hashes them.</summary>
    public static IReadOnlyDictionary<string, string> TableColumns { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["patients"] = "id, name, born, phone, allergies, registered",
        ["appointments"] = "id, patient_id, at, room, reason",
        ["studies"] = "id, patient_id, kind, result, report",
    };

    public static string PatientQuery(int id) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT id, name, born, phone, allergies FROM clinic.patients WHERE id = {id}");

    /// <summary>The SQL of a fingerprint: row count and the sum of a CRC32 per row (equal data gives equal fingerprints).</summary>
    public static string FingerprintSql(string table, string? where = null) =>
        $"SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', {TableColumns[table]}))), 0) FROM clinic.{table}{(where is null ? "" : " WHERE " + where)}";

    public static async Task<string> FingerprintAsync(DemoServer server, string table, string? where, CancellationToken ct)
    {
        var (_, rows) = await QueryAsync(server, FingerprintSql(table, where), ct);
        return $"{rows[0][0]} rows, crc {rows[0][1]}";
    }

    /// <summary>Runs <paramref name="sql"/> and returns column names and rows as invariant text (null for SQL NULL).</summary>
    public static async Task<(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows)> QueryAsync(DemoServer server, string sql, CancellationToken ct)
    {
        await using var connection = await server.OpenAsync(ct);
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<IReadOnlyList<string?>>();
        while (await reader.ReadAsync(ct))
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Text(reader.GetValue(i));
            }

            rows.Add(row);
        }

        return (columns, rows);
    }

    public static async Task<string?> ScalarAsync(DemoServer server, string sql, CancellationToken ct)
    {
        var (_, rows) = await QueryAsync(server, sql, ct);
        return rows.Count == 0 ? null : rows[0][0];
    }

    private static string Text(object value) => value switch
    {
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

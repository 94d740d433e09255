using System.Text;
using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.Standby.Tests.Apply;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Json;

/// <summary>
/// MySQL JSON documents holding DECIMAL, DATETIME, DATE, TIME and TIMESTAMP scalars (opaque values that JSON text
/// turns into DOUBLE and strings) reach the standby as the same binary value: CHECKSUM TABLE, the compare and the
/// JSON_TYPE of every typed path agree, with and without a primary key, batched and prepared (real MySQL 9.7).
/// </summary>
public sealed class ExactJsonApplyTests(MySqlSourceAndStandbyFixture servers) : ApplierTestBase(servers), IClassFixture<MySqlSourceAndStandbyFixture>
{
    /// <summary>Documents with their typed paths and the JSON_TYPE MySQL reports there.</summary>
    internal static readonly (string Sql, (string Path, string Type)[] Paths)[] Documents =
    [
        ("JSON_OBJECT('price', 12.50, 'at', CAST('2024-01-02 03:04:05.123456' AS DATETIME(6)), 'big', 12345678901234567890.123456789)",
            [("$.price", "DECIMAL"), ("$.at", "DATETIME"), ("$.big", "DECIMAL")]),
        ("JSON_ARRAY(CAST('-0.000000000000000000000000000001' AS DECIMAL(31,30)), CAST(99 AS DECIMAL(2,0)), CAST(-123.4500 AS DECIMAL(10,4)), CAST('12345678901234567890123456789012345678901234567890123456789012345' AS DECIMAL(65,0)), 0.5, -7)",
            [("$[0]", "DECIMAL"), ("$[1]", "DECIMAL"), ("$[2]", "DECIMAL"), ("$[3]", "DECIMAL"), ("$[4]", "DECIMAL"), ("$[5]", "INTEGER")]),
        ("JSON_ARRAY(CAST('2024-02-29 23:59:59' AS DATETIME), CAST('1000-01-01 00:00:00.1' AS DATETIME(1)), CAST('2000-06-15 12:00:00.12' AS DATETIME(2)), CAST('2000-06-15 12:00:00.123' AS DATETIME(3)), CAST('9999-12-31 23:59:59.999999' AS DATETIME(6)), CAST('0001-01-01' AS DATE), CAST('-838:59:59' AS TIME), CAST('-12:30:00.5' AS TIME(1)), CAST('100:00:00.000001' AS TIME(6)))",
            [("$[0]", "DATETIME"), ("$[1]", "DATETIME"), ("$[4]", "DATETIME"), ("$[5]", "DATE"), ("$[6]", "TIME"), ("$[7]", "TIME"), ("$[8]", "TIME")]),
        ("JSON_OBJECT('ключ', JSON_ARRAY(JSON_OBJECT('ü😀', 'it''s \"q\" \\\\ ? @p0', 'e', JSON_OBJECT(), 'f', JSON_ARRAY(), 'd', 1.5)), 'u', CAST(18446744073709551615 AS UNSIGNED), 's', CAST(5 AS UNSIGNED), 'i', -9223372036854775808, 'z', -0.0e0, 'm', 1e308, 't', true, 'n', NULL, 'x', false, 'tiny', 5e-324)",
            [("$.\"ключ\"[0].d", "DECIMAL"), ("$.u", "UNSIGNED INTEGER"), ("$.s", "UNSIGNED INTEGER"), ("$.i", "INTEGER"), ("$.z", "DOUBLE"), ("$.m", "DOUBLE"), ("$.t", "BOOLEAN"), ("$.n", "NULL"), ("$.tiny", "DOUBLE")]),
        ("JSON_OBJECT('plain', JSON_ARRAY(1, 'two', 3.5e0, NULL))", [("$.plain[2]", "DOUBLE")]),
        (Deep(60), [("$" + string.Concat(Enumerable.Repeat("[0]", 60)), "DECIMAL")]),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Json_documents_with_decimal_and_temporal_scalars_reach_the_standby_as_the_same_binary_value(bool batched)
    {
        var db = NewDatabase("jsx");
        var start = await SourcePositionAsync();
        var source = Servers.Source;
        await source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.docs (id INT PRIMARY KEY, j JSON NULL) ENGINE=InnoDB;
            CREATE TABLE {db}.loose (n INT NULL, j JSON NULL) ENGINE=InnoDB;
            CREATE TABLE {db}.stamps (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL) ENGINE=InnoDB;
            """);
        var inserts = new StringBuilder();
        for (var i = 0; i < Documents.Length; i++)
        {
            inserts.Append($"INSERT INTO {db}.docs VALUES ({i + 1}, {Documents[i].Sql});\n");
            inserts.Append($"INSERT INTO {db}.loose VALUES ({i + 1}, {Documents[i].Sql});\n");
        }

        await source.ExecuteAsync(inserts.ToString());
        await source.ExecuteAsync($"""
            INSERT INTO {db}.stamps VALUES (1, '2020-02-03 04:05:06.5'), (2, '2038-01-19 03:14:07');
            INSERT INTO {db}.docs SELECT 100 + id, JSON_OBJECT('ts', ts, 'p', 1.25) FROM {db}.stamps;
            INSERT INTO {db}.loose SELECT 100 + id, JSON_ARRAY(ts, 0.10) FROM {db}.stamps;
            START TRANSACTION;
            UPDATE {db}.docs SET j = JSON_OBJECT('price', 13.75, 'at', CAST('2025-05-05' AS DATE)) WHERE id = 1;
            UPDATE {db}.docs SET j = JSON_SET(j, '$[1]', CAST(100 AS DECIMAL(3,0))) WHERE id = 2;
            UPDATE {db}.loose SET n = n + 1000 WHERE n IN (1, 3, 101);
            DELETE FROM {db}.loose WHERE n IN (2, 4);
            DELETE FROM {db}.docs WHERE id = 3;
            COMMIT;
            """);

        var channel = db;
        await CatchUpAsync(Options(channel, start) with { BatchStatements = batched });

        foreach (var mode in new[] { CompareMode.Rows, CompareMode.Checksum })
        {
            var report = await CompareAsync(db, channel, mode);
            Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        }

        foreach (var table in new[] { "docs", "loose" })
        {
            Assert.Equal(await ChecksumAsync(Servers.Source, db, table), await ChecksumAsync(Servers.Standby, db, table));
        }

        foreach (var table in new[] { "docs", "loose" })
        {
            var (sourceTypes, standbyTypes) = (await TypesAsync(Servers.Source, db, table), await TypesAsync(Servers.Standby, db, table));
            Assert.Equal(sourceTypes, standbyTypes);
            Assert.Contains("DECIMAL", sourceTypes, StringComparison.Ordinal);
            Assert.Contains("TIMESTAMP", sourceTypes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Json_text_of_a_decimal_document_would_not_pass_the_checksum()
    {
        // the checks above can fail: the text path (MySQL parses 12.50 as a DOUBLE) changes CHECKSUM TABLE and JSON_TYPE
        var db = NewDatabase("jst");
        var source = Servers.Source;
        await source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.a (id INT PRIMARY KEY, j JSON);
            CREATE TABLE {db}.b (id INT PRIMARY KEY, j JSON);
            INSERT INTO {db}.a VALUES (1, JSON_OBJECT('price', 12.50));
            INSERT INTO {db}.b SELECT id, CAST(CAST(j AS CHAR) AS JSON) FROM {db}.a;
            """);
        Assert.NotEqual(await ChecksumAsync(source, db, "a"), await ChecksumAsync(source, db, "b"));
        Assert.Equal("DOUBLE", await source.ScalarAsync<string>($"SELECT JSON_TYPE(j->'$.price') FROM {db}.b"));
    }

    private static string Deep(int depth) =>
        string.Concat(Enumerable.Repeat("JSON_ARRAY(", depth)) + "CAST(-1.000 AS DECIMAL(4,3))" + new string(')', depth);

    private static async Task<long> ChecksumAsync(TestServer server, string db, string table)
    {
        await using var connection = await server.OpenAdminConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CHECKSUM TABLE {db}.{table}";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row's JSON_TYPE at every typed path of every document (plus the TIMESTAMP documents), sorted.</summary>
    private static async Task<string> TypesAsync(TestServer server, string db, string table)
    {
        var paths = Documents.SelectMany(d => d.Paths.Select(p => p.Path))
            .Concat(["$.ts", "$.p", "$[0]", "$[1]", "$.price", "$.at"]).Distinct().ToList();
        var columns = string.Join(", ", paths.Select(p => $"COALESCE(JSON_TYPE(JSON_EXTRACT(j, '{p.Replace("'", "''", StringComparison.Ordinal)}')), '-')"));
        var key = table == "docs" ? "id" : "n";
        var result = await server.ScalarAsync<string>($"SELECT GROUP_CONCAT(CONCAT_WS(',', {key}, {columns}) ORDER BY {key} SEPARATOR ';') FROM {db}.{table}");
        return result ?? "";
    }
}

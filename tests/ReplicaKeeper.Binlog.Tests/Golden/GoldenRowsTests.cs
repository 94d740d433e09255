using System.Globalization;
using System.Text;
using System.Text.Json;
using MySqlConnector;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Output;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Golden;

/// <summary>
/// Scripted SQL with every column type and edge values runs on a real server; the binlog it writes is
/// decoded by TableMapEvent/RowsEvent and every value is compared with what the server returns for a
/// SELECT of the same row (through expressions that print the value in our formatting rules).
/// </summary>
public abstract class GoldenRowsTests(TestServer server)
{
    protected TestServer Server { get; } = server;

    protected bool IsMySql => Server.Flavor == ServerFlavor.MySql;

    /// <summary>Columns of the all-types table: name, SQL type.</summary>
    protected virtual IReadOnlyList<(string Name, string Type)> Columns =>
    [
        ("id", "INT NOT NULL PRIMARY KEY"),
        ("ti", "TINYINT"), ("tiu", "TINYINT UNSIGNED"), ("si", "SMALLINT"), ("siu", "SMALLINT UNSIGNED"),
        ("mi", "MEDIUMINT"), ("miu", "MEDIUMINT UNSIGNED"), ("i", "INT"), ("iu", "INT UNSIGNED"),
        ("bi", "BIGINT"), ("biu", "BIGINT UNSIGNED"),
        ("f", "FLOAT"), ("d", "DOUBLE"),
        ("dec65", "DECIMAL(65,30)"), ("dec10", "DECIMAL(10,2)"), ("dec18", "DECIMAL(18,9)"), ("dec5", "DECIMAL(5,0)"), ("dec33", "DECIMAL(3,3)"),
        ("y", "YEAR"), ("dt", "DATE"),
        ("tm", "TIME"), ("tm1", "TIME(1)"), ("tm3", "TIME(3)"), ("tm4", "TIME(4)"), ("tm6", "TIME(6)"),
        ("dtm", "DATETIME"), ("dtm2", "DATETIME(2)"), ("dtm3", "DATETIME(3)"), ("dtm6", "DATETIME(6)"),
        ("ts", "TIMESTAMP NULL"), ("ts1", "TIMESTAMP(1) NULL"), ("ts6", "TIMESTAMP(6) NULL"),
        ("b1", "BIT(1)"), ("b10", "BIT(10)"), ("b64", "BIT(64)"),
        ("e", "ENUM('a','b','c')"), ("s", "SET('x','y','z')"),
        ("c10", "CHAR(10)"), ("c100", "CHAR(100) CHARACTER SET utf8mb4"), ("vc", "VARCHAR(50)"), ("vc300", "VARCHAR(300) CHARACTER SET utf8mb4"),
        ("lat", "VARCHAR(20) CHARACTER SET latin1"), ("latc", "CHAR(5) CHARACTER SET latin1"),
        ("bn", "BINARY(4)"), ("vb", "VARBINARY(20)"),
        ("tb", "TINYBLOB"), ("bl", "BLOB"), ("mb", "MEDIUMBLOB"), ("lb", "LONGBLOB"),
        ("tt", "TINYTEXT"), ("tx", "TEXT"), ("mt", "MEDIUMTEXT"), ("lt", "LONGTEXT"),
        ("j", "JSON"), ("g", "GEOMETRY"),
    ];

    /// <summary>Rows to insert: id, then column name → SQL expression (others NULL).</summary>
    protected virtual IReadOnlyList<(int Id, Dictionary<string, string> Values)> Rows =>
    [
        (1, []),
        (2, new()
        {
            ["ti"] = "-128", ["tiu"] = "0", ["si"] = "-32768", ["siu"] = "0", ["mi"] = "-8388608", ["miu"] = "0",
            ["i"] = "-2147483648", ["iu"] = "0", ["bi"] = "-9223372036854775808", ["biu"] = "0",
            ["f"] = "-3.40282e38", ["d"] = "-1.7976931348623157e308",
            ["dec65"] = "'-99999999999999999999999999999999999.999999999999999999999999999999'",
            ["dec10"] = "-99999999.99", ["dec18"] = "-0.000000001", ["dec5"] = "-99999", ["dec33"] = "-0.999",
            ["y"] = "1901", ["dt"] = "'1000-01-01'",
            ["tm"] = "'-838:59:59'", ["tm1"] = "'-838:59:58.9'", ["tm3"] = "'-00:00:00.001'", ["tm4"] = "'-12:34:56.7891'", ["tm6"] = "'-838:59:58.999999'",
            ["dtm"] = "'1000-01-01 00:00:00'", ["dtm2"] = "'1000-01-01 00:00:00.01'", ["dtm3"] = "'1000-01-01 00:00:00.001'", ["dtm6"] = "'1000-01-01 00:00:00.000001'",
            ["ts"] = "'1970-01-01 00:00:01'", ["ts1"] = "'1970-01-01 00:00:01.1'", ["ts6"] = "'1970-01-01 00:00:01.000001'",
            ["b1"] = "b'0'", ["b10"] = "b'0'", ["b64"] = "0",
            ["e"] = "'a'", ["s"] = "''",
            ["c10"] = "''", ["c100"] = "''", ["vc"] = "''", ["vc300"] = "''", ["lat"] = "''", ["latc"] = "''",
            ["bn"] = "x'00'", ["vb"] = "x''",
            ["tb"] = "x''", ["bl"] = "x''", ["mb"] = "x''", ["lb"] = "x''", ["tt"] = "''", ["tx"] = "''", ["mt"] = "''", ["lt"] = "''",
            ["j"] = "'[]'", ["g"] = "ST_GeomFromText('POINT(0 0)')",
        }),
        (3, new()
        {
            ["ti"] = "127", ["tiu"] = "255", ["si"] = "32767", ["siu"] = "65535", ["mi"] = "8388607", ["miu"] = "16777215",
            ["i"] = "2147483647", ["iu"] = "4294967295", ["bi"] = "9223372036854775807", ["biu"] = "18446744073709551615",
            ["f"] = "3.14159", ["d"] = "2.718281828459045",
            ["dec65"] = "'99999999999999999999999999999999999.999999999999999999999999999999'",
            ["dec10"] = "99999999.99", ["dec18"] = "123456789.123456789", ["dec5"] = "99999", ["dec33"] = "0.001",
            ["y"] = "2155", ["dt"] = "'9999-12-31'",
            ["tm"] = "'838:59:59'", ["tm1"] = "'838:59:58.9'", ["tm3"] = "'100:00:00.5'", ["tm4"] = "'00:00:00.0001'", ["tm6"] = "'838:59:58.999999'",
            ["dtm"] = "'9999-12-31 23:59:59'", ["dtm2"] = "'9999-12-31 23:59:59.99'", ["dtm3"] = "'2024-02-29 12:34:56.789'", ["dtm6"] = "'9999-12-31 23:59:59.999999'",
            ["ts"] = "'2038-01-19 03:14:07'", ["ts1"] = "'2024-06-30 12:00:00.5'", ["ts6"] = "'2038-01-19 03:14:07.999999'",
            ["b1"] = "b'1'", ["b10"] = "b'1111111111'", ["b64"] = "18446744073709551615",
            ["e"] = "'c'", ["s"] = "'x,y,z'",
            ["c10"] = "'abc'", ["c100"] = "CONCAT(REPEAT('é', 50), REPEAT('😀', 50))", ["vc"] = "'héllo wörld'", ["vc300"] = "REPEAT('ü', 300)",
            ["lat"] = "'café €'", ["latc"] = "'Ünï'",
            ["bn"] = "x'DEADBEEF'", ["vb"] = "x'00FF00FF'",
            ["tb"] = "REPEAT(x'AB', 255)", ["bl"] = "REPEAT(x'CD', 65535)", ["mb"] = "REPEAT(x'EF', 70000)", ["lb"] = "REPEAT(x'01', 3000000)",
            ["tt"] = "'tiny 😀'", ["tx"] = "REPEAT('text ', 1000)", ["mt"] = "REPEAT('m', 70000)", ["lt"] = "'long text'",
            ["j"] = """'{"a": 1, "b": [true, false, null], "c": {"d": "e\\n\\"q\\"", "f": -1.5e-7}, "big": 18446744073709551615, "neg": -9223372036854775808, "x": 3.0, "y": 1e20}'""",
            ["g"] = "ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))', 4326)",
        }),
        (4, new()
        {
            ["f"] = "0", ["d"] = "-0.5", ["dec65"] = "0", ["dec10"] = "-0.01", ["dec18"] = "0.000000001", ["dec5"] = "0", ["dec33"] = "0",
            ["y"] = "0", ["dt"] = "'0000-00-00'", ["dtm"] = "'0000-00-00 00:00:00'", ["dtm6"] = "'2024-00-15 00:00:00.000000'", ["ts"] = "0",
            ["tm"] = "'00:00:00'", ["tm6"] = "'-00:00:00.000001'",
            ["b64"] = "b'1000000000000000000000000000000000000000000000000000000000000001'", ["b10"] = "b'1000000001'",
            ["e"] = "'b'", ["s"] = "'y'",
            ["j"] = """'[1, "two", 3.5, {"k": [[]]}, -32768, 32767, 65535, -2147483648, 4294967295]'""",
        }),
    ];

    protected abstract string Schema { get; }

    protected async Task<IReadOnlyList<DecodedChange>> RunAndDecodeAsync(IEnumerable<string> statements)
    {
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var before = await Server.BinlogFilesAsync();
        foreach (var sql in statements)
        {
            await Server.ExecuteAsync(sql);
        }

        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var after = await Server.BinlogFilesAsync();
        var files = after.Where(f => !before.Contains(f)).Prepend(before[^1]).Where(f => f != after[^1]).Distinct().ToList();
        var changes = new List<DecodedChange>();
        var change = new RowChange();
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(Server.BinlogPath(file));
            foreach (var (_, _, rows) in RowEventFile.Read(bytes))
            {
                if (rows is null || rows.Table.Schema != Schema)
                {
                    continue;
                }

                var reader = rows.GetRows();
                while (reader.Read(change))
                {
                    changes.Add(new DecodedChange(
                        rows.Kind,
                        change.HasBefore ? DecodedRow.From(change.Before) : null,
                        change.HasAfter ? DecodedRow.From(change.After) : null,
                        JsonOf(change)));
                }
            }
        }

        return changes;
    }

    public static string JsonOf(RowChange change)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            RowJsonWriter.WriteChange(writer, change);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A SELECT expression that prints the column like our decoder's comparable text.</summary>
    protected virtual string ServerExpression(string name, string type)
    {
        var t = type.ToUpperInvariant();
        if (t.StartsWith("BIT", StringComparison.Ordinal))
        {
            return $"CAST({name}+0 AS CHAR)";
        }

        if (t.Contains("BLOB", StringComparison.Ordinal) || t.StartsWith("BINARY", StringComparison.Ordinal)
            || t.StartsWith("VARBINARY", StringComparison.Ordinal) || t.StartsWith("GEOMETRY", StringComparison.Ordinal)
            || t.StartsWith("VECTOR", StringComparison.Ordinal))
        {
            return $"HEX({name})";
        }

        if (t.StartsWith("FLOAT", StringComparison.Ordinal) || t.StartsWith("DOUBLE", StringComparison.Ordinal))
        {
            return name;
        }

        if (t.Contains("CHAR", StringComparison.Ordinal) || t.Contains("TEXT", StringComparison.Ordinal) || t.StartsWith("ENUM", StringComparison.Ordinal)
            || t.StartsWith("SET", StringComparison.Ordinal))
        {
            return $"CONVERT({name} USING utf8mb4)";
        }

        return $"CAST({name} AS CHAR)";
    }

    protected async Task<Dictionary<int, Dictionary<string, string?>>> SelectAsync(string table, IReadOnlyList<(string Name, string Type)> columns)
    {
        await using var connection = await Server.OpenAdminConnectionAsync();
        await using (var tz = new MySqlCommand("SET time_zone = '+00:00', sql_mode = ''", connection))
        {
            await tz.ExecuteNonQueryAsync();
        }

        var select = string.Join(", ", columns.Select(c => ServerExpression(c.Name, c.Type)));
        await using var command = new MySqlCommand($"SELECT {select} FROM {Schema}.{table} ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var result = new Dictionary<int, Dictionary<string, string?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, string?>();
            for (var i = 0; i < columns.Count; i++)
            {
                row[columns[i].Name] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            result[int.Parse(row["id"]!, CultureInfo.InvariantCulture)] = row;
        }

        return result;
    }

    protected static void AssertSameValue(string column, string type, string? expected, string? actual, int id)
    {
        var t = type.ToUpperInvariant();
        if (expected is not null && actual is not null && t.StartsWith("FLOAT", StringComparison.Ordinal))
        {
            Assert.True(
                float.Parse(expected, CultureInfo.InvariantCulture) == float.Parse(actual, CultureInfo.InvariantCulture),
                $"row {id} column {column}: server {expected}, decoded {actual}");
            return;
        }

        if (expected is not null && actual is not null && t.StartsWith("DOUBLE", StringComparison.Ordinal))
        {
            Assert.True(
                double.Parse(expected, CultureInfo.InvariantCulture) == double.Parse(actual, CultureInfo.InvariantCulture),
                $"row {id} column {column}: server {expected}, decoded {actual}");
            return;
        }

        if (expected is not null && actual is not null && t.StartsWith("YEAR", StringComparison.Ordinal))
        {
            Assert.Equal(int.Parse(expected, CultureInfo.InvariantCulture), int.Parse(actual, CultureInfo.InvariantCulture));
            return;
        }

        if (expected != actual)
        {
            Assert.Fail($"row {id} column {column} ({type}): server <{Trim(expected)}>, decoded <{Trim(actual)}>");
        }
    }

    private static string? Trim(string? s) => s is null ? "NULL" : s.Length > 200 ? s[..200] + $"...({s.Length} chars)" : s;

    protected IEnumerable<string> CreateAndInsertStatements(string table)
    {
        yield return $"CREATE DATABASE IF NOT EXISTS {Schema}";
        yield return $"DROP TABLE IF EXISTS {Schema}.{table}";
        yield return $"CREATE TABLE {Schema}.{table} ({string.Join(", ", Columns.Select(c => $"{c.Name} {c.Type}"))}) DEFAULT CHARSET=utf8mb4";
        foreach (var (id, values) in Rows)
        {
            var names = new List<string> { "id" };
            var exprs = new List<string> { id.ToString(CultureInfo.InvariantCulture) };
            foreach (var (name, expr) in values)
            {
                names.Add(name);
                exprs.Add(expr);
            }

            yield return $"SET SESSION sql_mode = '', time_zone = '+00:00'; INSERT INTO {Schema}.{table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", exprs)})";
        }
    }

    protected async Task Every_column_type_decodes_to_what_the_server_selects_core()
    {
        const string table = "all_types";
        var changes = await RunAndDecodeAsync(CreateAndInsertStatements(table));
        var inserted = changes.Where(c => c.Kind == RowsEventKind.Write).Select(c => c.After!).ToList();
        Assert.Equal(Rows.Count, inserted.Count);
        var selected = await SelectAsync(table, Columns);
        foreach (var row in inserted)
        {
            var id = int.Parse(row.Values["id"]!, CultureInfo.InvariantCulture);
            foreach (var (name, type) in Columns)
            {
                AssertSameValue(name, type, selected[id][name], row.Values[name], id);
            }
        }

        // The JSON lines parse, carry every column by name and keep exact DECIMAL digits.
        foreach (var change in changes)
        {
            using var doc = JsonDocument.Parse(change.Json);
            var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(Columns.Select(c => c.Name), names);
            var id = doc.RootElement.GetProperty("id").GetInt32();
            Assert.Equal(selected[id]["dec65"], doc.RootElement.GetProperty("dec65").ValueKind == JsonValueKind.Null ? null : doc.RootElement.GetProperty("dec65").GetString());
        }

        // Row 3 in the issue's value formats.
        using var row3 = JsonDocument.Parse(changes.Single(c => c.After!.Values["id"] == "3").Json);
        var r = row3.RootElement;
        Assert.Equal(255, r.GetProperty("tiu").GetInt32());
        Assert.Equal(-9223372036854775808L, JsonDocument.Parse(changes.Single(c => c.After!.Values["id"] == "2").Json).RootElement.GetProperty("bi").GetInt64());
        Assert.Equal(18446744073709551615UL, r.GetProperty("biu").GetUInt64());
        Assert.Equal(18446744073709551615UL, r.GetProperty("b64").GetUInt64());
        Assert.Equal(JsonValueKind.Number, r.GetProperty("f").ValueKind);
        Assert.Equal("99999999.99", r.GetProperty("dec10").GetString());
        Assert.Equal(2155, r.GetProperty("y").GetInt32());
        Assert.Equal("9999-12-31", r.GetProperty("dt").GetString());
        Assert.Equal("838:59:59", r.GetProperty("tm").GetString());
        Assert.Equal("9999-12-31 23:59:59.99", r.GetProperty("dtm2").GetString());
        Assert.Equal("2038-01-19 03:14:07.999999", r.GetProperty("ts6").GetString());
        Assert.Equal("c", r.GetProperty("e").GetString());
        Assert.Equal("x,y,z", r.GetProperty("s").GetString());
        Assert.Equal("café €", r.GetProperty("lat").GetString());
        Assert.Equal(Convert.FromHexString("DEADBEEF"), r.GetProperty("bn").GetBytesFromBase64());
        Assert.Equal(3_000_000, r.GetProperty("lb").GetBytesFromBase64().Length);
        Assert.Equal(JsonValueKind.String, r.GetProperty("g").ValueKind);
        if (IsMySql)
        {
            Assert.Equal(JsonValueKind.Object, r.GetProperty("j").ValueKind);
            Assert.Equal(18446744073709551615UL, r.GetProperty("j").GetProperty("big").GetUInt64());
            Assert.Equal([1.5f, -2.25f, 3e10f], r.GetProperty("v").EnumerateArray().Select(e => e.GetSingle()));
        }
        else
        {
            Assert.Equal(JsonValueKind.String, r.GetProperty("j").ValueKind); // MariaDB JSON is LONGTEXT
        }

        using var row1 = JsonDocument.Parse(changes.Single(c => c.After!.Values["id"] == "1").Json);
        Assert.Equal(JsonValueKind.Null, row1.RootElement.GetProperty("j").ValueKind);
    }

    protected async Task Updates_and_deletes_carry_exact_before_and_after_images_core()
    {
        const string table = "all_types_ud";
        await RunAndDecodeAsync(CreateAndInsertStatements(table));
        var original = await SelectAsync(table, Columns);
        var changes = (await RunAndDecodeAsync(
        [
            $"SET SESSION sql_mode = '', time_zone = '+00:00'; UPDATE {Schema}.{table} SET ti = -ti, biu = biu DIV 2, dec65 = -dec65, tm6 = '-01:02:03.000004', " +
            $"dtm6 = '2001-02-03 04:05:06.700000', vc = 'upd 😀', lat = 'ÿé', e = 'b', s = 'x,z', bn = x'01', lb = REPEAT(x'02', 70000) WHERE id IN (2, 3)",
        ])).ToList();
        var updated = await SelectAsync(table, Columns);
        changes.AddRange(await RunAndDecodeAsync([$"DELETE FROM {Schema}.{table} WHERE id >= 3"]));
        var updates = changes.Where(c => c.Kind == RowsEventKind.Update).ToList();
        var deletes = changes.Where(c => c.Kind == RowsEventKind.Delete).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal(Rows.Count - 2, deletes.Count);
        foreach (var update in updates)
        {
            var id = int.Parse(update.Before!.Values["id"]!, CultureInfo.InvariantCulture);
            foreach (var (name, type) in Columns)
            {
                AssertSameValue(name, type, original[id][name], update.Before.Values[name], id);
                AssertSameValue(name, type, updated.TryGetValue(id, out var now) ? now[name] : null, update.After!.Values[name], id);
            }

            using var doc = JsonDocument.Parse(update.Json);
            Assert.True(doc.RootElement.TryGetProperty("before", out _));
            Assert.True(doc.RootElement.TryGetProperty("after", out _));
        }

        // The deleted row 3 was the updated one: its before image is what the update left.
        var deleted3 = deletes.Single(d => d.Before!.Values["id"] == "3");
        var after3 = updates.Single(u => u.After!.Values["id"] == "3").After!;
        foreach (var (name, _) in Columns)
        {
            Assert.Equal(after3.Values[name], deleted3.Before!.Values[name]);
        }
    }

    protected async Task Minimal_row_image_marks_missing_columns_absent_core()
    {
        const string table = "minimal_image";
        var changes = await RunAndDecodeAsync(
        [
            $"CREATE DATABASE IF NOT EXISTS {Schema}",
            $"DROP TABLE IF EXISTS {Schema}.{table}",
            $"CREATE TABLE {Schema}.{table} (id INT PRIMARY KEY, a INT, b VARCHAR(10), c TEXT)",
            $"INSERT INTO {Schema}.{table} VALUES (1, 10, 'x', 'long'), (2, 20, NULL, 'y')",
            $"SET SESSION binlog_row_image = 'MINIMAL'; UPDATE {Schema}.{table} SET a = a + 1 WHERE id = 1; DELETE FROM {Schema}.{table} WHERE id = 2",
        ]);
        var update = changes.Single(c => c.Kind == RowsEventKind.Update);
        Assert.Equal(ValueKind.Int64, update.Before!.Kinds["id"]);
        Assert.Equal(ValueKind.Absent, update.Before.Kinds["a"]);
        Assert.Equal(ValueKind.Absent, update.Before.Kinds["c"]);
        Assert.Equal("11", update.After!.Values["a"]);
        Assert.Equal(ValueKind.Absent, update.After.Kinds["b"]);
        Assert.Equal("""{"before":{"id":1},"after":{"a":11}}""", update.Json);
        var delete = changes.Single(c => c.Kind == RowsEventKind.Delete);
        Assert.Equal("""{"id":2}""", delete.Json);
    }

    /// <summary>Runs the all-types script again and captures the TABLE_MAP + rows pairs it wrote (small events only).</summary>
    protected async Task<IReadOnlyList<CapturedEvents>> CaptureAllTypesAsync(int maxRowsBodyLength)
    {
        const string table = "all_types_capture";
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var before = await Server.BinlogFilesAsync();
        foreach (var sql in CreateAndInsertStatements(table))
        {
            await Server.ExecuteAsync(sql);
        }

        await Server.ExecuteAsync($"SET SESSION sql_mode = ''; UPDATE {Schema}.{table} SET ti = 1, j = NULL WHERE id IN (1, 2, 4)");
        await Server.ExecuteAsync($"DELETE FROM {Schema}.{table} WHERE id IN (2, 4)");
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var bytes = await File.ReadAllBytesAsync(Server.BinlogPath(before[^1]));
        return CapturedEvents.From(bytes, Schema, maxRowsBodyLength);
    }

    protected async Task Truncated_events_decode_a_prefix_or_throw_BinlogFormatException_core()
    {
        var captured = await CaptureAllTypesAsync(maxRowsBodyLength: 4096);
        Assert.NotEmpty(captured);
        foreach (var c in captured)
        {
            var full = CapturedEvents.DecodeAll(c.Context, c.MapHeader, c.MapBody, c.RowsHeader, c.RowsBody);
            for (var length = 0; length < c.MapBody.Length; length++)
            {
                var cut = c.MapBody[..length];
                var outcome = Record.Exception(() => CapturedEvents.DecodeAll(c.Context, c.MapHeader, cut, c.RowsHeader, c.RowsBody));
                Assert.True(outcome is null or BinlogFormatException, $"TABLE_MAP cut at {length}: {outcome}");
            }

            for (var length = 0; length < c.RowsBody.Length; length++)
            {
                var cut = c.RowsBody[..length];
                string? decoded = null;
                var outcome = Record.Exception(() => decoded = CapturedEvents.DecodeAll(c.Context, c.MapHeader, c.MapBody, c.RowsHeader, cut));
                Assert.True(outcome is null or BinlogFormatException, $"rows event cut at {length}: {outcome}");
                if (outcome is null)
                {
                    // A cut on a row boundary is a valid event with fewer rows: the rows it has are the same.
                    Assert.StartsWith(decoded!, full, StringComparison.Ordinal);
                }
            }
        }
    }

    protected async Task Mutated_events_throw_only_BinlogFormatException_core()
    {
        var captured = await CaptureAllTypesAsync(maxRowsBodyLength: 4096);
        var random = new Random(20261125);
        foreach (var c in captured)
        {
            for (var round = 0; round < 300; round++)
            {
                var map = (byte[])c.MapBody.Clone();
                var rows = (byte[])c.RowsBody.Clone();
                var target = random.Next(4) == 0 ? map : rows;
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    target[random.Next(target.Length)] = (byte)random.Next(256);
                }

                var outcome = Record.Exception(() => CapturedEvents.DecodeAll(c.Context, c.MapHeader, map, c.RowsHeader, rows));
                Assert.True(outcome is null or BinlogFormatException, $"mutation round {round}: {outcome}");
            }
        }
    }

    /// <summary>Row counts and primary keys agree with the server's own binlog tool (mysqlbinlog / mariadb-binlog -vv).</summary>
    protected async Task Row_changes_match_the_server_binlog_tool_core()
    {
        const string table = "tool_compare";
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var file = (await Server.BinlogFilesAsync())[^1];
        foreach (var sql in new[]
        {
            $"CREATE DATABASE IF NOT EXISTS {Schema}",
            $"DROP TABLE IF EXISTS {Schema}.{table}",
            $"CREATE TABLE {Schema}.{table} (id INT PRIMARY KEY, v VARCHAR(20), n BIGINT UNSIGNED)",
            $"INSERT INTO {Schema}.{table} SELECT seq, CONCAT('v', seq), seq * 1000000007 FROM (SELECT 1 seq UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5) s",
            $"UPDATE {Schema}.{table} SET v = 'changed' WHERE id IN (2, 4)",
            $"DELETE FROM {Schema}.{table} WHERE id = 5",
        })
        {
            await Server.ExecuteAsync(sql);
        }

        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var path = Server.BinlogPath(file);
        var tool = await Server.RunBinlogToolAsync(["-vv", "--base64-output=decode-rows", path]);
        Assert.Equal(0, tool.ExitCode);
        var lines = tool.StandardOutput.Split('\n');
        int Count(string prefix) => lines.Count(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains(table, StringComparison.Ordinal));
        var toolIds = lines.Where(l => l.StartsWith("###   @1=", StringComparison.Ordinal)).Select(l => l[9..].Split(' ')[0]).ToList();

        var ours = new List<(RowsEventKind Kind, string? Before, string? After)>();
        var change = new RowChange();
        foreach (var (_, _, rows) in RowEventFile.Read(await File.ReadAllBytesAsync(path)))
        {
            if (rows?.Table.Table != table)
            {
                continue;
            }

            var reader = rows.GetRows();
            while (reader.Read(change))
            {
                ours.Add((rows.Kind, change.HasBefore ? change.Before.GetString(0) : null, change.HasAfter ? change.After.GetString(0) : null));
            }
        }

        Assert.Equal(Count("### INSERT INTO"), ours.Count(o => o.Kind == RowsEventKind.Write));
        Assert.Equal(Count("### UPDATE"), ours.Count(o => o.Kind == RowsEventKind.Update));
        Assert.Equal(Count("### DELETE FROM"), ours.Count(o => o.Kind == RowsEventKind.Delete));
        var ourIds = ours.SelectMany(o => new[] { o.Before, o.After }).OfType<string>().ToList();
        Assert.Equal(toolIds, ourIds);
    }
}

public sealed record DecodedChange(RowsEventKind Kind, DecodedRow? Before, DecodedRow? After, string Json);

public sealed class MariaDbGoldenRowsTests(MariaDbFixture fixture) : GoldenRowsTests(fixture.Server), IClassFixture<MariaDbFixture>
{
    protected override string Schema => "golden";

    [Fact]
    public Task Every_column_type_decodes_to_what_the_server_selects() => Every_column_type_decodes_to_what_the_server_selects_core();

    [Fact]
    public Task Updates_and_deletes_carry_exact_before_and_after_images() => Updates_and_deletes_carry_exact_before_and_after_images_core();

    [Fact]
    public Task Minimal_row_image_marks_missing_columns_absent() => Minimal_row_image_marks_missing_columns_absent_core();

    [Fact]
    public Task Truncated_events_decode_a_prefix_or_throw_BinlogFormatException() => Truncated_events_decode_a_prefix_or_throw_BinlogFormatException_core();

    [Fact]
    public Task Mutated_events_throw_only_BinlogFormatException() => Mutated_events_throw_only_BinlogFormatException_core();

    [Fact]
    public Task Row_changes_match_the_server_binlog_tool() => Row_changes_match_the_server_binlog_tool_core();
}

public sealed class MySqlGoldenRowsTests(MySqlFixture fixture) : GoldenRowsTests(fixture.Server), IClassFixture<MySqlFixture>
{
    protected override string Schema => "golden";

    protected override IReadOnlyList<(string Name, string Type)> Columns => [.. base.Columns, ("v", "VECTOR(3)")];

    protected override IReadOnlyList<(int Id, Dictionary<string, string> Values)> Rows
    {
        get
        {
            var rows = base.Rows.ToList();
            rows[2].Values["v"] = "STRING_TO_VECTOR('[1.5, -2.25, 3e10]')";
            return rows;
        }
    }

    [Fact]
    public async Task Partial_json_updates_apply_their_diffs_to_the_before_document()
    {
        const string table = "partial_json";
        var large = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"\"k{i}\": {i}"));
        var changes = await RunAndDecodeAsync(
        [
            $"CREATE DATABASE IF NOT EXISTS {Schema}",
            $"DROP TABLE IF EXISTS {Schema}.{table}",
            $"CREATE TABLE {Schema}.{table} (id INT PRIMARY KEY, j JSON, k JSON, n INT)",
            $"INSERT INTO {Schema}.{table} VALUES (1, '{{\"a\": 1, \"b\": [1, 2, 3], \"c\": {{\"d\": \"x\"}}, \"long\": \"{new string('z', 40)}\"}}', '[1, 2]', 1)",
            $"INSERT INTO {Schema}.{table} VALUES (2, '{{{large}}}', NULL, 2)",
            "SET SESSION binlog_row_value_options = 'PARTIAL_JSON'; " +
            $"UPDATE {Schema}.{table} SET j = JSON_SET(j, '$.a', 5, '$.\"new key\"', 'v'), j = JSON_REPLACE(j, '$.b[1]', 'two'), " +
            $"j = JSON_REMOVE(j, '$.c.d'), j = JSON_SET(j, '$.long', 'short'), k = JSON_ARRAY_APPEND(k, '$', 3), n = n + 1 WHERE id = 1",
            "SET SESSION binlog_row_value_options = 'PARTIAL_JSON'; " +
            $"UPDATE {Schema}.{table} SET j = JSON_SET(j, '$.k17', 1.5, '$.k4999', 'last') WHERE id = 2",
        ]);
        var updates = changes.Where(c => c.Kind is RowsEventKind.PartialUpdate or RowsEventKind.Update).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Contains(updates, u => u.Kind == RowsEventKind.PartialUpdate);
        var selected = await SelectAsync(table, [("id", "INT"), ("j", "JSON"), ("k", "JSON"), ("n", "INT")]);
        foreach (var update in updates)
        {
            var id = int.Parse(update.After!.Values["id"]!, CultureInfo.InvariantCulture);
            Assert.Equal(selected[id]["j"], update.After.Values["j"]);
            Assert.Equal(selected[id]["k"], update.After.Values["k"]);
            Assert.Equal(selected[id]["n"], update.After.Values["n"]);
        }
    }

    [Fact]
    public async Task Partial_json_diffs_under_minimal_image_are_kept_as_operations()
    {
        const string table = "partial_json_minimal";
        var changes = await RunAndDecodeAsync(
        [
            $"CREATE DATABASE IF NOT EXISTS {Schema}",
            $"DROP TABLE IF EXISTS {Schema}.{table}",
            $"CREATE TABLE {Schema}.{table} (id INT PRIMARY KEY, j JSON)",
            $"INSERT INTO {Schema}.{table} VALUES (1, '{{\"a\": 1, \"b\": [1, 2, 3], \"pad\": \"{new string('p', 60)}\"}}')",
            "SET SESSION binlog_row_value_options = 'PARTIAL_JSON', binlog_row_image = 'MINIMAL'; " +
            $"UPDATE {Schema}.{table} SET j = JSON_SET(j, '$.a', 2), j = JSON_REMOVE(j, '$.b[0]') WHERE id = 1",
        ]);
        var update = changes.Single(c => c.Kind == RowsEventKind.PartialUpdate);
        Assert.Equal(ValueKind.Absent, update.Before!.Kinds["j"]);
        Assert.Equal(ValueKind.JsonDiff, update.After!.Kinds["j"]);
        Assert.Equal("""[{"op": "replace", "path": "$.a", "value": 2}, {"op": "remove", "path": "$.b[0]"}]""", update.After.Values["j"]);
        using var doc = JsonDocument.Parse(update.Json);
        Assert.Equal(2, doc.RootElement.GetProperty("after").GetProperty("j").GetProperty("json_diff").GetArrayLength());
    }

    [Fact]
    public Task Every_column_type_decodes_to_what_the_server_selects() => Every_column_type_decodes_to_what_the_server_selects_core();

    [Fact]
    public Task Updates_and_deletes_carry_exact_before_and_after_images() => Updates_and_deletes_carry_exact_before_and_after_images_core();

    [Fact]
    public Task Minimal_row_image_marks_missing_columns_absent() => Minimal_row_image_marks_missing_columns_absent_core();

    [Fact]
    public Task Truncated_events_decode_a_prefix_or_throw_BinlogFormatException() => Truncated_events_decode_a_prefix_or_throw_BinlogFormatException_core();

    [Fact]
    public Task Mutated_events_throw_only_BinlogFormatException() => Mutated_events_throw_only_BinlogFormatException_core();

    [Fact]
    public Task Row_changes_match_the_server_binlog_tool() => Row_changes_match_the_server_binlog_tool_core();
}

using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Pitfalls;

/// <summary>MariaDB 10.11 source with binlog_row_metadata=MINIMAL.</summary>
public sealed class MariaDbMinimalRowMetadataFixture() : TestServerFixture(TestServerOptions.MariaDb with { ExtraArguments = ["--binlog-row-metadata=MINIMAL"] });

/// <summary>MySQL 9.7 source with binlog_row_metadata=MINIMAL (MySQL's default).</summary>
public sealed class MySqlMinimalRowMetadataFixture() : TestServerFixture(TestServerOptions.MySql with { ExtraArguments = ["--binlog-row-metadata=MINIMAL"] });

/// <summary>
/// PITFALLS: "UNSIGNED: the table map does not say signedness unless binlog_row_metadata=FULL" and "with
/// binlog_row_metadata=MINIMAL the names are missing". What a real server writes: MINIMAL carries SIGNEDNESS and
/// the character sets (so values decode exactly) but no column names, no ENUM/SET member names and no primary key;
/// MariaDB's NO_LOG (its default) carries nothing, so the decoder cannot know signedness or character sets and
/// says so (<see cref="ColumnDefinition.IsSignednessKnown"/> false) until the caller supplies them from
/// information_schema (<see cref="TableMapEvent.WithSignedness"/>, <see cref="TableMapEvent.WithColumnNames"/>).
/// </summary>
public abstract class MinimalRowMetadataTests(TestServer server)
{
    protected TestServer Server { get; } = server;

    private const string Table = """
        (id INT UNSIGNED NOT NULL PRIMARY KEY, tiu TINYINT UNSIGNED, siu SMALLINT UNSIGNED, miu MEDIUMINT UNSIGNED,
         biu BIGINT UNSIGNED, i INT, e ENUM('a','b','c'), lat VARCHAR(10) CHARACTER SET latin1, vb VARBINARY(4))
        """;

    private const string Values = "(4294967295, 255, 65535, 16777215, 18446744073709551615, -1, 'b', 'caf\u00e9', x'ff00')";

    [Fact]
    public async Task Minimal_metadata_decodes_unsigned_maxima_and_charsets_exactly_but_names_columns_by_position()
    {
        Assert.Equal("MINIMAL", await Server.ScalarAsync<string>("SELECT @@global.binlog_row_metadata"));
        var (map, image) = await WriteAndDecodeAsync("pit_min");

        Assert.False(map.HasColumnNames);
        Assert.True(map.HasSignedness);
        Assert.Empty(map.PrimaryKey);
        Assert.All(map.Columns, c => Assert.Null(c.Name));
        Assert.Equal("@1", map.Columns[0].DisplayName);
        Assert.All(map.Columns.Where(c => c.Index <= 5), c => Assert.True(c.IsSignednessKnown));
        Assert.Equal(
            ["4294967295", "255", "65535", "16777215", "18446744073709551615", "-1", "2", "caf\u00e9", "/wA="],
            Enumerable.Range(0, image.ColumnCount).Select(image.GetString));

        // names come from information_schema, by position (valid while no ALTER TABLE lies between the event and the lookup)
        var named = map.WithColumnNames(await ColumnNamesAsync("pit_min"));
        Assert.Equal(["id", "tiu", "siu", "miu", "biu", "i", "e", "lat", "vb"], named.Columns.Select(c => c.DisplayName));
        Assert.True(named.HasColumnNames);
    }

    /// <summary>Creates {database}.t, inserts one row in a fresh binlog file and decodes it (the table map through <paramref name="adjust"/>).</summary>
    protected async Task<(TableMapEvent Map, RowImage Image)> WriteAndDecodeAsync(string database, Func<TableMapEvent, TableMapEvent>? adjust = null)
    {
        await Server.ExecuteAsync($"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}; CREATE TABLE {database}.t {Table}; FLUSH BINARY LOGS");
        var file = (await Server.BinlogFilesAsync())[^1];
        await Server.ExecuteAsync($"SET NAMES utf8mb4; INSERT INTO {database}.t VALUES {Values}; FLUSH BINARY LOGS");
        return DecodeFirstRow(File.ReadAllBytes(Server.BinlogPath(file)), database, adjust ?? (m => m));
    }

    private static (TableMapEvent Map, RowImage Image) DecodeFirstRow(byte[] file, string database, Func<TableMapEvent, TableMapEvent> adjust)
    {
        using var scanner = new BinlogFrameScanner(new MemoryStream(file));
        using var decoder = new BinlogEventDecoder();
        TableMapEvent? map = null;
        while (scanner.MoveNext())
        {
            var frame = scanner.Current.Bytes;
            var decoded = decoder.Decode(frame);
            if (decoded is TableMapEvent { Table: "t" } m && m.Schema == database)
            {
                map = adjust(m);
            }
            else if (decoded is RowsEvent && map is not null)
            {
                var header = EventHeader.Read(frame.Span);
                var rows = RowsEvent.Read(frame[EventHeader.Size..^decoder.Format.ChecksumSize], header, decoder.Format, _ => map);
                var change = new RowChange();
                Assert.True(rows.GetRows().Read(change));
                return (map, change.After);
            }
        }

        throw new InvalidOperationException($"no row of {database}.t in the binlog");
    }

    protected async Task<List<bool>> UnsignedColumnsAsync(string database) =>
        (await ColumnsAsync(database, "COLUMN_TYPE")).Select(t => t.Contains("unsigned", StringComparison.OrdinalIgnoreCase)).ToList();

    protected Task<List<string>> ColumnNamesAsync(string database) => ColumnsAsync(database, "COLUMN_NAME");

    private async Task<List<string>> ColumnsAsync(string database, string field)
    {
        await using var connection = await Server.OpenAdminConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {field} FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '{database}' AND TABLE_NAME = 't' ORDER BY ORDINAL_POSITION";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

public sealed class MariaDbMinimalRowMetadataTests(MariaDbMinimalRowMetadataFixture fixture)
    : MinimalRowMetadataTests(fixture.Server), IClassFixture<MariaDbMinimalRowMetadataFixture>
{
    [Fact]
    public async Task No_log_metadata_leaves_signedness_and_charsets_unknown_and_says_so_until_information_schema_supplies_them()
    {
        await Server.ExecuteAsync("SET GLOBAL binlog_row_metadata = NO_LOG");
        try
        {
            var (map, image) = await WriteAndDecodeAsync("pit_nolog");

            Assert.False(map.HasSignedness);
            Assert.False(map.HasColumnNames);
            Assert.All(map.Columns, c => Assert.False(c.IsSignednessKnown));
            Assert.Equal(-1L, image.GetValue(0)); // what the bytes of INT UNSIGNED 4294967295 are as a signed INT: the decoder cannot know
            Assert.Equal(-1L, image.GetValue(4));
            Assert.Equal(-1, image.Column(7).CollationId); // latin1 is unknown without charset metadata

            // with signedness from information_schema (COLUMN_TYPE ... unsigned) the same bytes decode exactly
            var unsigned = await UnsignedColumnsAsync("pit_nolog");
            Assert.Equal([true, true, true, true, true, false, false, false, false], unsigned);
            var (fixedMap, fixedImage) = await WriteAndDecodeAsync("pit_nolog", m => m.WithSignedness(unsigned));
            Assert.All(fixedMap.Columns, c => Assert.True(c.IsSignednessKnown));
            Assert.Equal(
                ["4294967295", "255", "65535", "16777215", "18446744073709551615", "-1"],
                Enumerable.Range(0, 6).Select(fixedImage.GetString));
        }
        finally
        {
            await Server.ExecuteAsync("SET GLOBAL binlog_row_metadata = MINIMAL");
        }
    }
}

public sealed class MySqlMinimalRowMetadataTests(MySqlMinimalRowMetadataFixture fixture)
    : MinimalRowMetadataTests(fixture.Server), IClassFixture<MySqlMinimalRowMetadataFixture>;

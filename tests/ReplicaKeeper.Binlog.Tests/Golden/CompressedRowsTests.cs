using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Golden;

/// <summary>MariaDB log_bin_compress=ON: compressed rows events, read through the file reader and dispatcher.</summary>
public sealed class MariaDbCompressedRowsTests(MariaDbLogBinCompressFixture fixture) : IClassFixture<MariaDbLogBinCompressFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Compressed_rows_events_decode_to_the_selected_values()
    {
        await _server.ExecuteAsync("FLUSH BINARY LOGS");
        var file = (await _server.BinlogFilesAsync())[^1];
        await _server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS zc");
        await _server.ExecuteAsync("CREATE TABLE zc.t (id INT PRIMARY KEY, body TEXT, amount DECIMAL(20,6), at DATETIME(6))");
        await _server.ExecuteAsync(
            "INSERT INTO zc.t SELECT seq, REPEAT(CONCAT('row ', seq, ' '), 50), seq * -1.000001, '2024-05-06 07:08:09.123456' " +
            "FROM (SELECT 1 seq UNION SELECT 2 UNION SELECT 3) s");
        await _server.ExecuteAsync("UPDATE zc.t SET body = 'short' WHERE id = 2");
        await _server.ExecuteAsync("DELETE FROM zc.t WHERE id = 3");
        await _server.ExecuteAsync("FLUSH BINARY LOGS");

        var seen = new List<(RowsEventKind Kind, string Id, string? Body, string? Amount, string? At)>();
        var change = new RowChange();
        var compressedEvents = 0;
        using var reader = BinlogFileReader.Open(_server.BinlogPath(file));
        foreach (var positioned in reader.ReadEvents())
        {
            if (positioned.Event is not RowsEvent { Table.Schema: "zc" } rows)
            {
                continue;
            }

            compressedEvents += rows.IsCompressed ? 1 : 0;
            var rowReader = rows.GetRows();
            while (rowReader.Read(change))
            {
                var image = change.HasAfter ? change.After : change.Before;
                seen.Add((rows.Kind, image.GetString(0)!, image.GetString(1), image.GetString(2), image.GetString(3)));
            }
        }

        Assert.True(compressedEvents > 0, "no compressed rows event was written");
        Assert.Equal(3, seen.Count(s => s.Kind == RowsEventKind.Write));
        Assert.Contains(seen, s => s.Kind == RowsEventKind.Update && s.Id == "2" && s.Body == "short");
        Assert.Contains(seen, s => s.Kind == RowsEventKind.Delete && s.Id == "3" && s.Amount == "-3.000003");
        var first = seen.First(s => s.Kind == RowsEventKind.Write && s.Id == "1");
        Assert.Equal(await _server.ScalarAsync<string>("SELECT body FROM zc.t WHERE id = 1"), first.Body);
        Assert.Equal("-1.000001", first.Amount);
        Assert.Equal("2024-05-06 07:08:09.123456", first.At);
    }
}

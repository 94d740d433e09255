using System.Globalization;
using System.Text.RegularExpressions;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Events;

/// <summary>
/// Binlogs written now by real servers (compression on), decoded by our reader and by the
/// server's own tool: every event position and every transaction GTID must agree.
/// </summary>
public abstract partial class LiveServerBinlogTests(TestServer server)
{
    protected abstract string Script { get; }

    protected TestServer Server { get; } = server;

    private async Task<IReadOnlyList<string>> WriteBinlogsAsync()
    {
        var result = await Server.RunClientAsync(Script);
        Assert.True(result.ExitCode == 0, result.StandardError);
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var files = await Server.BinlogFilesAsync();
        return files.Take(files.Count - 1).ToList(); // closed files only
    }

    /// <summary>True when the flavour's compressed events are among these (so the test covers them).</summary>
    protected abstract bool IsCompressed(BinlogEvent e);

    [Fact]
    public async Task Event_positions_and_GTIDs_equal_the_servers_own_binlog_tool()
    {
        var compressed = 0;
        foreach (var file in await WriteBinlogsAsync())
        {
            var path = Server.BinlogPath(file);
            var tool = await Server.RunBinlogToolAsync(["-vv", "--base64-output=decode-rows", path]);
            Assert.True(tool.ExitCode == 0, tool.StandardError);
            using var reader = BinlogFileReader.Open(path);
            var events = reader.ReadEvents().ToList();
            var positions = AtLine().Matches(tool.StandardOutput).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Equal(positions.Order(), events.Select(e => e.Position));
            var expectedGtids = (Server.Flavor == ServerFlavor.MySql ? MySqlGtid() : MariaGtid()).Matches(tool.StandardOutput).Select(m => m.Groups[1].Value);
            var gtids = events.Select(e => e.Event switch
            {
                GtidEvent g => g.GtidText,
                MariaDbGtidEvent g => g.GtidText,
                _ => null,
            }).OfType<string>();
            Assert.Equal(expectedGtids, gtids);
            var rowsExpected = RowChange().Matches(tool.StandardOutput).Count;
            var rows = events.Select(e => e.Event)
                .SelectMany(e => e is TransactionPayloadEvent p ? p.Events : [e])
                .OfType<RowsEvent>()
                .Sum(r => r.CountRows());
            Assert.Equal(rowsExpected, rows);
            compressed += events.Count(e => IsCompressed(e.Event));
        }

        Assert.True(compressed > 0);
    }

    [GeneratedRegex(@"^# at (\d+)$", RegexOptions.Multiline)]
    private static partial Regex AtLine();

    [GeneratedRegex(@"GTID_NEXT= '([^']+)'/\*!\*/;")]
    private static partial Regex MySqlGtid();

    [GeneratedRegex(@"\tGTID (\d+-\d+-\d+)")]
    private static partial Regex MariaGtid();

    [GeneratedRegex(@"^### (INSERT INTO|UPDATE|DELETE FROM) ", RegexOptions.Multiline)]
    private static partial Regex RowChange();
}

public sealed class MySqlLiveBinlogTests(MySqlTransactionCompressionFixture fixture)
    : LiveServerBinlogTests(fixture.Server), IClassFixture<MySqlTransactionCompressionFixture>
{
    protected override bool IsCompressed(BinlogEvent e) => e is TransactionPayloadEvent;

    protected override string Script => """
        CREATE DATABASE live;
        CREATE TABLE live.t (id INT PRIMARY KEY, v VARCHAR(200), j JSON);
        INSERT INTO live.t VALUES (1, REPEAT('a', 150), '{"a": [1, 2, 3]}'), (2, 'b', NULL);
        SET gtid_next = 'AUTOMATIC:live';
        UPDATE live.t SET v = 'changed' WHERE id = 2;
        SET gtid_next = 'AUTOMATIC';
        SET SESSION binlog_transaction_compression = OFF;
        DELETE FROM live.t WHERE id = 1;
        XA START 'x1'; INSERT INTO live.t VALUES (3, 'xa', NULL); XA END 'x1'; XA PREPARE 'x1'; XA COMMIT 'x1';
        """;
}

public sealed class MariaDbLiveBinlogTests(MariaDbLogBinCompressFixture fixture)
    : LiveServerBinlogTests(fixture.Server), IClassFixture<MariaDbLogBinCompressFixture>
{
    protected override bool IsCompressed(BinlogEvent e) => e is RowsEvent { IsCompressed: true } || e.EventType == BinlogEventType.MariaDbQueryCompressed;

    protected override string Script => """
        SET GLOBAL log_bin_compress_min_len = 10;
        CREATE DATABASE live;
        CREATE TABLE live.t (id INT PRIMARY KEY, v VARCHAR(200), j JSON);
        INSERT INTO live.t VALUES (1, REPEAT('a', 150), '{"a": [1, 2, 3]}'), (2, 'b', NULL);
        UPDATE live.t SET v = 'changed' WHERE id = 2;
        DELETE FROM live.t WHERE id = 1;
        XA START 'x1'; INSERT INTO live.t VALUES (3, 'xa', NULL); XA END 'x1'; XA PREPARE 'x1'; XA COMMIT 'x1';
        """;
}

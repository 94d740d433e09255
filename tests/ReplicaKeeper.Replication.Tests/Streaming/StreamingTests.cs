using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.TestServers;
using Xunit;
using static ReplicaKeeper.Replication.Tests.Streaming.ReplicationTestKit;

namespace ReplicaKeeper.Replication.Tests.Streaming;

/// <summary>Streaming basics against one server per flavour.</summary>
public abstract class StreamingTests<TFixture>(TFixture fixture) where TFixture : TestServerFixture
{
    protected TestServer Server => fixture.Server;

    protected bool IsMySql => Server.Flavor == ServerFlavor.MySql;

    private string Table(string name) => $"rk_test.{name}_{Guid.NewGuid():N}"[..40];

    private async Task<string> CreateTableAsync(string name)
    {
        await Server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_test");
        var table = Table(name);
        await Server.ExecuteAsync($"CREATE TABLE {table} (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(100), b LONGBLOB)");
        return table;
    }

    [Fact]
    public async Task Streams_transactions_from_a_gtid_checkpoint_with_verified_checksums()
    {
        var table = await CreateTableAsync("gtid");
        var start = await NowAsync(Server);
        for (var i = 0; i < 5; i++)
        {
            await Server.ExecuteAsync($"BEGIN; INSERT INTO {table} (v) VALUES ('a{i}'); INSERT INTO {table} (v) VALUES ('b{i}'); COMMIT");
        }

        var stream = Client(Server, tweak: o => o with { StopAtEnd = true }).OpenStream(start);
        var events = await CollectAsync(stream, (_, _) => false);
        var completed = AssertExactlyOnce(events);
        Assert.Equal(5, completed.Count);
        Assert.Contains(events, e => e.Event is FormatDescriptionEvent);
        Assert.All(events.Where(e => e.Kind == ReplicationEventKind.Event && !e.IsArtificial), e => Assert.Equal(e.Event.Header.EventSize, (uint)e.RawBytes.Length));
        if (IsMySql)
        {
            var expected = (await GtidExecutedAsync(Server)).Except(start.GtidSet!);
            Assert.Equal(expected, completed.Select(Gtid.Parse).Aggregate(GtidSet.Empty, (s, g) => s.Add(g)));
            Assert.Equal(await GtidExecutedAsync(Server), stream.Completed.GtidSet);
        }
        else
        {
            Assert.Equal(await GtidBinlogPosAsync(Server), stream.Completed.MariaDbGtids);
            var sequences = completed.Select(g => MariaDbGtid.Parse(g).Sequence).ToList();
            Assert.Equal(Enumerable.Range(0, 5).Select(i => sequences[0] + (ulong)i), sequences);
        }
    }

    [Fact]
    public async Task Streams_from_a_file_position_and_tracks_positions()
    {
        var table = await CreateTableAsync("pos");
        var start = await NowAsync(Server, preferPosition: true);
        await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('x')");
        await Server.ExecuteAsync($"INSERT INTO {table} (v) VALUES ('y')");
        var end = await NowAsync(Server, preferPosition: true);

        var stream = Client(Server, tweak: o => o with { StopAtEnd = true }).OpenStream(start);
        var events = await CollectAsync(stream, (_, _) => false);
        Assert.Equal(2, AssertExactlyOnce(events).Count);
        Assert.Equal(end.Position, stream.Completed.Position);
        Assert.Equal(end.Position, stream.Received);
        var first = events.First(e => e.Kind == ReplicationEventKind.Event && !e.IsArtificial && e.Event is not FormatDescriptionEvent);
        Assert.Equal(start.Position!.Value.Offset, first.Offset);
        Assert.True(events.First().IsArtificial);
        Assert.IsType<RotateEvent>(events.First().Event);
    }

    [Fact]
    public async Task An_event_larger_than_16_MiB_arrives_intact_with_a_verified_checksum()
    {
        var table = await CreateTableAsync("big");
        await Server.ExecuteAsync("SET GLOBAL max_allowed_packet = 256 * 1024 * 1024");
        var start = await NowAsync(Server);
        var size = 40 * 1024 * 1024;
        await using (var connection = await Server.OpenAdminConnectionAsync())
        {
            await using var command = new MySqlConnector.MySqlCommand($"INSERT INTO {table} (v, b) VALUES ('big', @b)", connection);
            var blob = new byte[size];
            new Random(7).NextBytes(blob);
            command.Parameters.AddWithValue("@b", blob);
            await command.ExecuteNonQueryAsync();
        }

        var stream = Client(Server, tweak: o => o with { StopAtEnd = true }).OpenStream(start);
        var events = await CollectAsync(stream, (_, _) => false);
        // MariaDB's ANNOTATE_ROWS carries the statement (with the value inlined) and is as large: every large
        // event must verify, and exactly one of them is the rows event
        Assert.All(events.Where(e => e.RawBytes.Length > size), e => Assert.True(Binlog.Reading.BinlogChecksum.IsValid(e.RawBytes.Span)));
        var big = Assert.Single(events, e => e.Event is Binlog.Events.RowsEvent && e.RawBytes.Length > size);
        Assert.True(Binlog.Reading.BinlogChecksum.IsValid(big.RawBytes.Span));
        Assert.Equal(big.Event.Header.EventSize, (uint)big.RawBytes.Length);
        Assert.Single(AssertExactlyOnce(events));
    }

    [Fact]
    public async Task Rejects_a_wrong_password_as_an_authentication_error()
    {
        var client = Client(Server, tweak: o => o with { Connection = o.Connection with { Password = "wrong" }, Reconnect = new ReconnectOptions { MaxAttempts = 0 } });
        var start = ReplicationCheckpoint.FromPosition(BinlogPosition.StartOf("bin.000001"));
        var ex = await Assert.ThrowsAsync<ReplicationException>(() => CollectAsync(client.OpenStream(start), (_, _) => true));
        Assert.Equal(ReplicationErrorKind.Authentication, ex.Kind);
        Assert.Contains("password", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1045, ex.ServerErrorCode);
    }

    [Fact]
    public async Task A_user_without_replication_slave_gets_an_error_naming_the_grant()
    {
        var user = $"nogrant{Random.Shared.Next(100000)}";
        await Server.ExecuteAsync($"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'; GRANT SELECT ON *.* TO '{user}'@'%'");
        var client = Client(Server, tweak: o => o with { Connection = o.Connection with { UserName = user, Password = "pw" } });
        var start = await NowAsync(Server, preferPosition: true);
        var ex = await Assert.ThrowsAsync<ReplicationException>(() => CollectAsync(client.OpenStream(start), (_, _) => true));
        Assert.True(ex.Kind == ReplicationErrorKind.MissingPrivilege, ex.ToString());
        Assert.Contains("REPLICATION SLAVE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_in_statement_format_is_refused_with_a_clear_error()
    {
        var start = await NowAsync(Server, preferPosition: true);
        await Server.ExecuteAsync("SET GLOBAL binlog_format = 'STATEMENT'");
        try
        {
            var ex = await Assert.ThrowsAsync<ReplicationException>(() => CollectAsync(Client(Server).OpenStream(start), (_, _) => true));
            Assert.Equal(ReplicationErrorKind.ServerConfiguration, ex.Kind);
            Assert.Contains("not configured for ROW format (binlog_format=STATEMENT)", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await Server.ExecuteAsync("SET GLOBAL binlog_format = 'ROW'");
        }
    }

    [Fact]
    public async Task A_purged_position_is_a_clear_error_naming_it()
    {
        var start = ReplicationCheckpoint.FromPosition(new BinlogPosition("bin.999998", 4));
        var ex = await Assert.ThrowsAsync<ReplicationException>(() => CollectAsync(Client(Server).OpenStream(start), (_, _) => true));
        Assert.Equal(ReplicationErrorKind.PositionPurged, ex.Kind);
        Assert.Contains("bin.999998:4", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class MariaDbStreamingTests(MariaDbFixture fixture) : StreamingTests<MariaDbFixture>(fixture), IClassFixture<MariaDbFixture>;

public sealed class MySqlStreamingTests(MySqlFixture fixture) : StreamingTests<MySqlFixture>(fixture), IClassFixture<MySqlFixture>
{
    [Fact]
    public async Task Streams_tagged_gtids_and_resumes_from_a_tagged_gtid_set()
    {
        await Server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_test; CREATE TABLE IF NOT EXISTS rk_test.tagged (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
        var start = await NowAsync(Server);
        await Server.ExecuteAsync("SET gtid_next = 'AUTOMATIC:tag1'; INSERT INTO rk_test.tagged (v) VALUES (1); SET gtid_next = 'AUTOMATIC:tag1'; INSERT INTO rk_test.tagged (v) VALUES (2); SET gtid_next = 'AUTOMATIC:Other_Tag'; INSERT INTO rk_test.tagged (v) VALUES (3); SET gtid_next = 'AUTOMATIC'; INSERT INTO rk_test.tagged (v) VALUES (4)");
        var executed = await GtidExecutedAsync(Server);
        Assert.True(executed.HasTags);

        var stream = Client(Server, tweak: o => o with { StopAtEnd = true }).OpenStream(start);
        var completed = AssertExactlyOnce(await CollectAsync(stream, (_, _) => false));
        Assert.Equal(4, completed.Count);
        Assert.Contains(completed, g => g.Contains(":tag1:", StringComparison.Ordinal));
        Assert.Contains(completed, g => g.Contains(":other_tag:", StringComparison.Ordinal));
        Assert.Equal(executed, stream.Completed.GtidSet);

        // Start again from a set that holds the first two tagged transactions: only the last two come.
        var partial = start.GtidSet!.Union(completed.Take(2).Select(Gtid.Parse).Aggregate(GtidSet.Empty, (s, g) => s.Add(g)));
        Assert.True(partial.HasTags);
        var again = Client(Server, tweak: o => o with { StopAtEnd = true }).OpenStream(ReplicationCheckpoint.FromGtidSet(partial));
        Assert.Equal(completed.Skip(2), AssertExactlyOnce(await CollectAsync(again, (_, _) => false)));
    }

    [Fact]
    public async Task A_purged_gtid_set_is_a_clear_error_naming_it()
    {
        await Server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_test; CREATE TABLE IF NOT EXISTS rk_test.purge (id INT PRIMARY KEY AUTO_INCREMENT)");
        await Server.ExecuteAsync("INSERT INTO rk_test.purge VALUES ()");
        await Server.ExecuteAsync("FLUSH BINARY LOGS");
        var files = await Server.BinlogFilesAsync();
        await Server.ExecuteAsync($"PURGE BINARY LOGS TO '{files[^1]}'");
        var ex = await Assert.ThrowsAsync<ReplicationException>(
            () => CollectAsync(Client(Server).OpenStream(ReplicationCheckpoint.FromGtidSet(GtidSet.Empty)), (_, _) => true));
        Assert.Equal(ReplicationErrorKind.PositionPurged, ex.Kind);
        Assert.Contains("empty GTID set", ex.Message, StringComparison.Ordinal);
    }
}

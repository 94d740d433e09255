using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using Xunit;
using static ReplicaKeeper.Replication.Tests.Scripted.EventBuilder;

namespace ReplicaKeeper.Replication.Tests.Scripted;

/// <summary>The delivery contract on reconnect, driven by a scripted source (deterministic cut points).</summary>
public sealed class ResumeContractTests
{
    private static readonly ReplicationCheckpoint Start = ReplicationCheckpoint.FromMariaDbGtids(MariaDbGtidList.Parse("0-1-4"));

    private static (ReplicaClient Client, ScriptedSource Source) Create()
    {
        var source = new ScriptedSource();
        var options = new ReplicationOptions
        {
            Connection = new ConnectionOptions { Host = "127.0.0.1", UserName = "repl" },
            StopAtEnd = true,
            Reconnect = new ReconnectOptions { InitialDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero, MaxAttempts = 5 },
        };
        return (new ReplicaClient(options, source.ConnectAsync), source);
    }

    private static async Task<List<ReplicationEvent>> ReadAllAsync(ReplicationStream stream)
    {
        var list = new List<ReplicationEvent>();
        await foreach (var e in stream)
        {
            list.Add(e);
        }

        return list;
    }

    private static string Summary(ReplicationEvent e) => e.Kind switch
    {
        ReplicationEventKind.TransactionAborted => $"ABORTED {e.TransactionGtid}",
        _ => e.Event switch
        {
            MariaDbGtidEvent g => $"GTID {g.GtidText}",
            QueryEvent q => $"Q {q.Query}",
            XidEvent => "XID",
            RotateEvent => "ROTATE",
            FormatDescriptionEvent => "FDE",
            var other => other.EventType.ToString(),
        },
    };

    [Fact]
    public async Task A_transaction_cut_in_the_middle_is_resumed_without_repeating_its_delivered_events()
    {
        var (client, source) = Create();
        byte[][] transaction = [Gtid(400, 5), Query(450, "BEGIN"), Query(520, "INSERT INTO t VALUES (1)"), Xid(551, 9)];
        source.AddSession(false, FakeRotate("bin.000001", 4), FormatDescription(), transaction[0], transaction[1]);
        source.AddSession(true, [FakeRotate("bin.000001", 4), FormatDescription(), .. transaction]);

        var stream = client.OpenStream(Start);
        var events = await ReadAllAsync(stream);

        Assert.Equal(
            ["ROTATE", "FDE", "GTID 0-1-5", "Q BEGIN", "ROTATE", "FDE", "Q INSERT INTO t VALUES (1)", "XID"],
            events.Select(Summary));
        Assert.Equal(2, stream.ResentEventsSkipped);
        Assert.Equal(1, stream.Reconnects);
        Assert.Equal("0-1-5", stream.Completed.MariaDbGtids!.ToString());
        Assert.Equal(new BinlogPosition("bin.000001", 551), stream.Completed.Position);
        Assert.Contains("SET @slave_connect_state = '0-1-4'", source.Executed);
        Assert.Equal(2, source.Executed.Count(s => s == "SET @slave_connect_state = '0-1-4'"));
        Assert.All(events.Where(e => e.TransactionGtid is not null), e => Assert.Equal("0-1-5", e.TransactionGtid));
        Assert.True(events.Single(e => e.Event is XidEvent).CompletesTransaction);
    }

    [Fact]
    public async Task A_transaction_that_comes_back_different_is_reported_aborted_and_the_new_one_delivered_whole()
    {
        var (client, source) = Create();
        source.AddSession(false, FakeRotate("bin.000001", 4), FormatDescription(), Gtid(400, 5), Query(450, "BEGIN"));

        // after the reconnect the source has a different transaction 0-1-5 (e.g. it crashed and its binlog was truncated)
        source.AddSession(false, FakeRotate("bin.000001", 4), FormatDescription(), Gtid(400, 5, timestamp: 1_800_000_000));
        source.AddSession(
            true, FakeRotate("bin.000001", 4), FormatDescription(), Gtid(400, 5, timestamp: 1_800_000_000), Query(450, "BEGIN"),
            Query(530, "INSERT INTO t VALUES (2)"), Query(560, "COMMIT"));

        var stream = client.OpenStream(Start);
        var events = await ReadAllAsync(stream);

        Assert.Equal(
            [
                "ROTATE", "FDE", "GTID 0-1-5", "Q BEGIN", "ROTATE", "FDE", "ABORTED 0-1-5",
                "ROTATE", "FDE", "GTID 0-1-5", "Q BEGIN", "Q INSERT INTO t VALUES (2)", "Q COMMIT",
            ],
            events.Select(Summary));
        Assert.Equal(1_800_000_000u, events.OfType<ReplicationEvent>().Last(e => e.Event is MariaDbGtidEvent).Event.Header.Timestamp);
        Assert.Equal("0-1-5", stream.Completed.MariaDbGtids!.ToString());
        Assert.Equal(3, source.Connections);
    }

    [Fact]
    public async Task A_cut_between_transactions_resumes_after_the_last_complete_one()
    {
        var (client, source) = Create();
        source.AddSession(false, FakeRotate("bin.000001", 4), FormatDescription(), Gtid(400, 5), Query(450, "BEGIN"), Xid(480, 1));
        source.AddSession(true, FakeRotate("bin.000001", 480), FormatDescription(), Gtid(530, 6, standalone: true), Query(560, "DROP TABLE t"));
        var (events, executed) = (await ReadAllAsync(client.OpenStream(Start)), source.Executed);
        Assert.Equal(["ROTATE", "FDE", "GTID 0-1-5", "Q BEGIN", "XID", "ROTATE", "FDE", "GTID 0-1-6", "Q DROP TABLE t"], events.Select(Summary));
        Assert.Contains("SET @slave_connect_state = '0-1-5'", executed);
        Assert.Equal(2, events.Count(e => e.CompletesTransaction));
    }

    [Fact]
    public async Task Gives_up_after_the_allowed_attempts_naming_where_to_resume()
    {
        var (client, source) = Create();
        source.AddSession(false, FakeRotate("bin.000001", 4), FormatDescription(), Gtid(400, 5), Query(450, "BEGIN"), Xid(480, 1));
        var ex = await Assert.ThrowsAsync<ReplicationException>(() => ReadAllAsync(client.OpenStream(Start)));
        Assert.Equal(ReplicationErrorKind.Unreachable, ex.Kind);
        Assert.Contains("mariadb-gtid:0-1-5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(6, source.Connections);
    }
}

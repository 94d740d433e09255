using System.Buffers.Binary;
using System.Text;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication.Internal;
using Xunit;
using static ReplicaKeeper.Replication.Tests.Scripted.EventBuilder;

namespace ReplicaKeeper.Replication.Tests.SemiSync;

/// <summary>The semi-sync wire format against a scripted MariaDB source: header stripping, ACK bytes and when the ACK goes out.</summary>
public sealed class SemiSyncProtocolTests
{
    private const string File = "bin.000001";

    private static readonly ReplicationCheckpoint Start = ReplicationCheckpoint.FromMariaDbGtids(MariaDbGtidList.Parse("0-1-4"));

    /// <summary>One session whose event packets carry the semi-sync header; records what the replica executes and writes.</summary>
    private sealed class SemiSyncSource((byte[] Event, bool AckRequested)[] events) : ISourceConnection
    {
        private readonly Queue<byte[]> _packets = new();

        public List<string> Executed { get; } = [];

        public List<byte[]> Acks { get; } = [];

        public bool IsMariaDb => true;

        public string ServerVersion => "10.11.6-MariaDB";

        public ValueTask<IReadOnlyList<string?[]>> QueryAsync(string sql, CancellationToken ct) =>
            ValueTask.FromResult<IReadOnlyList<string?[]>>(sql.Contains("log_bin", StringComparison.Ordinal) ? [["1", "ROW", "CRC32", "1"]] : [["0-1-1"]]);

        public ValueTask ExecuteAsync(string sql, CancellationToken ct)
        {
            Executed.Add(sql);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteCommandAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            switch (payload.Span[0])
            {
                case ReplicationCommands.ComRegisterSlave:
                    _packets.Enqueue([0x00, 0, 0, 2, 0, 0, 0]);
                    break;
                case ReplicationCommands.ComBinlogDump:
                    foreach (var (e, ack) in events)
                    {
                        _packets.Enqueue([0x00, 0xEF, ack ? (byte)0x01 : (byte)0x00, .. e]);
                    }

                    _packets.Enqueue([0xFE, 0, 0, 2, 0]);
                    break;
                default:
                    lock (Acks)
                    {
                        Acks.Add(payload.ToArray());
                    }

                    break;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken ct) =>
            _packets.TryDequeue(out var packet)
                ? ValueTask.FromResult<ReadOnlyMemory<byte>>(packet)
                : ValueTask.FromException<ReadOnlyMemory<byte>>(new IOException("scripted source: connection lost"));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static ReplicationStream Open(SemiSyncSource source) =>
        new ReplicaClient(
            new ReplicationOptions
            {
                Connection = new ConnectionOptions { Host = "127.0.0.1", UserName = "repl" },
                StopAtEnd = true,
                SemiSyncAck = true,
                Reconnect = new ReconnectOptions { MaxAttempts = 0 },
            },
            _ => ValueTask.FromResult<ISourceConnection>(source)).OpenStream(Start);

    private static byte[] ExpectedAck(ulong position, string file) =>
        [0xEF, .. BitConverter.IsLittleEndian ? BitConverter.GetBytes(position) : BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(position)), .. Encoding.ASCII.GetBytes(file)];

    [Fact]
    public async Task A_flagged_commit_is_acknowledged_with_0xEF_position_and_file_only_after_it_is_marked_durable()
    {
        var xid = Xid(551, 9);
        var source = new SemiSyncSource([
            (FakeRotate(File, 4), false), (FormatDescription(), false), (Gtid(400, 5), false), (Query(450, "BEGIN"), false),
            (Query(520, "INSERT INTO t VALUES (1)"), false), (xid, true)]);
        var stream = Open(source);
        await using var events = stream.GetAsyncEnumerator();
        ReplicationEvent current;
        do
        {
            Assert.True(await events.MoveNextAsync());
            current = events.Current;
        }
        while (current.Event is not XidEvent);

        Assert.Equal(xid, current.RawBytes.ToArray()); // the 2-byte header is not part of the event
        Assert.True(stream.SemiSyncActive);
        Assert.Contains("SET @rpl_semi_sync_slave = 1", source.Executed);

        var next = events.MoveNextAsync().AsTask();
        await Task.Delay(300);
        Assert.False(next.IsCompleted, "the stream read past a flagged event before acknowledging it");
        Assert.Empty(source.Acks);

        stream.MarkDurable(ReplicationCheckpoint.FromPosition(new BinlogPosition(File, 520))); // not yet the commit
        await Task.Delay(200);
        Assert.False(next.IsCompleted);

        stream.MarkDurable(ReplicationCheckpoint.FromPosition(new BinlogPosition(File, 551)));
        Assert.False(await next.WaitAsync(TimeSpan.FromSeconds(10))); // then EOF: the stream ends
        Assert.Equal(ExpectedAck(551, File), Assert.Single(source.Acks));
        Assert.Equal(1, stream.SemiSyncAcksSent);
    }

    [Fact]
    public async Task Unflagged_events_are_not_acknowledged_and_a_flag_inside_a_transaction_confirms_nothing_new()
    {
        var source = new SemiSyncSource([
            (FakeRotate(File, 4), false), (FormatDescription(), false), (Gtid(400, 5), false), (Query(450, "BEGIN"), true),
            (Query(520, "INSERT INTO t VALUES (1)"), false), (Xid(551, 9), false)]);
        var stream = Open(source);
        var summary = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var e in stream.WithCancellation(timeout.Token))
        {
            summary.Add(e.Event.EventType.ToString());
        }

        Assert.Equal(6, summary.Count);

        // nothing is durable: the ACK that keeps the packet numbering in step names the start of the file
        Assert.Equal(ExpectedAck(4, File), Assert.Single(source.Acks));
    }
}

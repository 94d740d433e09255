using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Replication.Internal;

namespace ReplicaKeeper.Replication.Tests.Scripted;

/// <summary>Builds MariaDB-style binlog events (with CRC32) for scripted sessions.</summary>
internal static class EventBuilder
{
    public const uint ServerId = 1;

    public static byte[] Event(BinlogEventType type, uint nextPosition, byte[] body, uint timestamp = 1_700_000_000, ushort flags = 0)
    {
        var size = 19 + body.Length + 4;
        var raw = new byte[size];
        BinaryPrimitives.WriteUInt32LittleEndian(raw, timestamp);
        raw[4] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(5), ServerId);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(9), (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(13), nextPosition);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(17), flags);
        body.CopyTo(raw, 19);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(size - 4), Crc32.HashToUInt32(raw.AsSpan(0, size - 4)));
        return raw;
    }

    public static byte[] FakeRotate(string file, ulong position)
    {
        var body = new byte[8 + file.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(body, position);
        Encoding.ASCII.GetBytes(file).CopyTo(body, 8);
        return Event(BinlogEventType.Rotate, 0, body, timestamp: 0, flags: 0x20);
    }

    public static byte[] FormatDescription()
    {
        var version = new byte[50];
        Encoding.ASCII.GetBytes("10.11.6-MariaDB").CopyTo(version, 0);
        var postHeaders = new byte[171];
        postHeaders[(int)BinlogEventType.Query - 1] = 13;
        postHeaders[(int)BinlogEventType.Rotate - 1] = 8;
        postHeaders[(int)BinlogEventType.FormatDescription - 1] = 57 + 171 + 1;
        postHeaders[(int)BinlogEventType.MariaDbGtid - 1] = 19;
        var body = new List<byte>();
        body.AddRange([4, 0]);
        body.AddRange(version);
        body.AddRange([0, 0, 0, 0, 19]);
        body.AddRange(postHeaders);
        body.Add(1); // CRC32
        return Event(BinlogEventType.FormatDescription, 0, [.. body], flags: 0);
    }

    /// <summary>MariaDB GTID; <paramref name="standalone"/> for a DDL (FL_STANDALONE | FL_DDL).</summary>
    public static byte[] Gtid(uint nextPosition, ulong sequence, uint domain = 0, uint timestamp = 1_700_000_000, bool standalone = false)
    {
        var body = new byte[19];
        BinaryPrimitives.WriteUInt64LittleEndian(body, sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), domain);
        body[12] = standalone ? (byte)(1 | 32) : (byte)0;
        return Event(BinlogEventType.MariaDbGtid, nextPosition, body, timestamp);
    }

    public static byte[] Query(uint nextPosition, string sql, string schema = "db")
    {
        var body = new List<byte>();
        body.AddRange(new byte[8]); // thread id, exec time
        body.Add((byte)schema.Length);
        body.AddRange(new byte[4]); // error code, status vars length 0
        body.AddRange(Encoding.ASCII.GetBytes(schema));
        body.Add(0);
        body.AddRange(Encoding.UTF8.GetBytes(sql));
        return Event(BinlogEventType.Query, nextPosition, [.. body]);
    }

    public static byte[] Xid(uint nextPosition, ulong xid)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(body, xid);
        return Event(BinlogEventType.Xid, nextPosition, body);
    }
}

/// <summary>
/// A source whose sessions replay scripts: each connection answers the setup queries like a MariaDB
/// in ROW format, accepts COM_REGISTER_SLAVE, then sends its script's events and finally fails
/// (connection lost) or sends EOF.
/// </summary>
internal sealed class ScriptedSource
{
    private readonly Queue<(IReadOnlyList<byte[]> Events, bool EndWithEof)> _sessions = new();

    public List<string> Executed { get; } = [];

    public int Connections { get; private set; }

    public void AddSession(bool endWithEof, params byte[][] events) => _sessions.Enqueue((events, endWithEof));

    public ValueTask<ISourceConnection> ConnectAsync(CancellationToken ct)
    {
        Connections++;
        if (!_sessions.TryDequeue(out var script))
        {
            throw new IOException("scripted source: no more sessions");
        }

        return ValueTask.FromResult<ISourceConnection>(new Connection(this, script.Events, script.EndWithEof));
    }

    private sealed class Connection(ScriptedSource source, IReadOnlyList<byte[]> events, bool endWithEof) : ISourceConnection
    {
        private readonly Queue<byte[]> _packets = new();

        public bool IsMariaDb => true;

        public string ServerVersion => "10.11.6-MariaDB";

        public ValueTask<IReadOnlyList<string?[]>> QueryAsync(string sql, CancellationToken ct) =>
            ValueTask.FromResult<IReadOnlyList<string?[]>>(
                sql.Contains("log_bin", StringComparison.Ordinal) ? [["1", "ROW", "CRC32", "1"]] : [["0-1-1"]]);

        public ValueTask ExecuteAsync(string sql, CancellationToken ct)
        {
            source.Executed.Add(sql);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteCommandAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            if (payload.Span[0] == ReplicationCommands.ComRegisterSlave)
            {
                _packets.Enqueue([0x00, 0, 0, 2, 0, 0, 0]);
            }
            else
            {
                foreach (var e in events)
                {
                    _packets.Enqueue([0x00, .. e]);
                }

                if (endWithEof)
                {
                    _packets.Enqueue([0xFE, 0, 0, 2, 0]);
                }
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken ct) =>
            _packets.TryDequeue(out var packet)
                ? ValueTask.FromResult<ReadOnlyMemory<byte>>(packet)
                : ValueTask.FromException<ReadOnlyMemory<byte>>(new IOException("scripted source: connection lost"));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

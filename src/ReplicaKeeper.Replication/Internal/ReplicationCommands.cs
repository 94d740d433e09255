using System.Buffers.Binary;
using System.Text;
using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Replication.Internal;

/// <summary>Payloads of the replication commands (MySQL/MariaDB client/server protocol).</summary>
internal static class ReplicationCommands
{
    public const byte ComRegisterSlave = 0x15;
    public const byte ComBinlogDump = 0x12;
    public const byte ComBinlogDumpGtid = 0x1E;

    /// <summary>BINLOG_DUMP_NON_BLOCK: send EOF at the end of the binlog instead of waiting.</summary>
    public const ushort DumpNonBlock = 0x01;

    /// <summary>
    /// BINLOG_SEND_ANNOTATE_ROWS_EVENT (MariaDB): also send ANNOTATE_ROWS events. Without it the
    /// stream omits bytes the source's file holds, and a byte-exact archive sees a gap.
    /// </summary>
    public const ushort DumpSendAnnotateRows = 0x02;

    /// <summary>BINLOG_THROUGH_GTID: COM_BINLOG_DUMP_GTID carries a GTID set.</summary>
    public const ushort DumpThroughGtid = 0x04;

    /// <summary>First byte of a semi-sync header (after the OK byte of an event packet) and of a semi-sync ACK.</summary>
    public const byte SemiSyncMagic = 0xEF;

    /// <summary>Semi-sync header flag: the source waits for an ACK of this event.</summary>
    public const byte SemiSyncAckRequested = 0x01;

    /// <summary>
    /// Semi-sync ACK (a new packet, sequence id 0, on the dump connection): magic 0xEF, the binlog position just
    /// past the acknowledged event (8 bytes little endian), then the binlog file name (no terminator).
    /// </summary>
    public static byte[] SemiSyncAck(BinlogPosition position)
    {
        var name = Encoding.UTF8.GetBytes(position.File);
        var payload = new byte[1 + 8 + name.Length];
        payload[0] = SemiSyncMagic;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(1), position.Offset);
        name.CopyTo(payload, 9);
        return payload;
    }

    /// <summary>
    /// COM_REGISTER_SLAVE: server_id(4) hostname(1+n) user(1+n) password(1+n) port(2)
    /// replication_rank(4) master_id(4). User and password are left empty: only shown by SHOW REPLICAS.
    /// </summary>
    public static byte[] RegisterSlave(uint serverId, string hostName, ushort port)
    {
        var host = Encoding.UTF8.GetBytes(hostName);
        if (host.Length > 255)
        {
            host = host[..255];
        }

        var payload = new byte[1 + 4 + 1 + host.Length + 1 + 1 + 2 + 4 + 4];
        var span = payload.AsSpan();
        span[0] = ComRegisterSlave;
        BinaryPrimitives.WriteUInt32LittleEndian(span[1..], serverId);
        span[5] = (byte)host.Length;
        host.CopyTo(span[6..]);
        var pos = 6 + host.Length;
        span[pos++] = 0; // user
        span[pos++] = 0; // password
        BinaryPrimitives.WriteUInt16LittleEndian(span[pos..], port);
        pos += 2;
        BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], 0); // rank
        BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 4)..], 0); // master id
        return payload;
    }

    /// <summary>COM_BINLOG_DUMP: pos(4) flags(2) server_id(4) file(rest). Offsets beyond 4 GiB do not fit.</summary>
    public static byte[] BinlogDump(string file, ulong offset, ushort flags, uint serverId)
    {
        if (offset > uint.MaxValue)
        {
            throw new ReplicationException(
                ReplicationErrorKind.InvalidStartPosition,
                $"Binlog offset {offset} does not fit COM_BINLOG_DUMP (4 bytes); start from a GTID instead.");
        }

        var name = Encoding.UTF8.GetBytes(file);
        var payload = new byte[1 + 4 + 2 + 4 + name.Length];
        var span = payload.AsSpan();
        span[0] = ComBinlogDump;
        BinaryPrimitives.WriteUInt32LittleEndian(span[1..], (uint)offset);
        BinaryPrimitives.WriteUInt16LittleEndian(span[5..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[7..], serverId);
        name.CopyTo(span[11..]);
        return payload;
    }

    /// <summary>
    /// COM_BINLOG_DUMP_GTID: flags(2) server_id(4) name_size(4) name pos(8) [data_size(4) gtid set]
    /// with BINLOG_THROUGH_GTID; file "" and position 4 let the source find the first missing GTID.
    /// </summary>
    public static byte[] BinlogDumpGtid(GtidSet executed, ushort flags, uint serverId)
    {
        ArgumentNullException.ThrowIfNull(executed);
        flags |= DumpThroughGtid;
        var setLength = executed.EncodedLength;
        var payload = new byte[1 + 2 + 4 + 4 + 0 + 8 + 4 + setLength];
        var span = payload.AsSpan();
        span[0] = ComBinlogDumpGtid;
        BinaryPrimitives.WriteUInt16LittleEndian(span[1..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(span[3..], serverId);
        BinaryPrimitives.WriteUInt32LittleEndian(span[7..], 0); // file name length: ""
        BinaryPrimitives.WriteUInt64LittleEndian(span[11..], BinlogPosition.FirstEventOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(span[19..], (uint)setLength);
        executed.Encode(span[23..]);
        return payload;
    }
}

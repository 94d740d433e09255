using System.Buffers.Binary;
using System.Text;
using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Transactions;

/// <summary>
/// The little decoding the archive needs on top of framing: FORMAT_DESCRIPTION checksum setting,
/// ROTATE target, GTID fields, the start of a QUERY's text, PREVIOUS_GTIDS / GTID_LIST contents.
/// Every method takes a whole event (header included, checksum included) and throws
/// <see cref="BinlogFormatException"/> on malformed input.
/// </summary>
public static class EventFacts
{
    private const int Header = EventHeader.Size;

    /// <summary>The checksum algorithm a FORMAT_DESCRIPTION event announces (byte before its 4-byte checksum).</summary>
    public static ChecksumAlgorithm FormatChecksum(ReadOnlySpan<byte> fde)
    {
        // binlog_version(2) server_version(50) create_timestamp(4) header_length(1) post-header lengths... alg(1) crc(4)
        if (fde.Length < Header + 57 + 5)
        {
            return ChecksumAlgorithm.None;
        }

        var alg = fde[^5];
        return alg switch
        {
            0 => ChecksumAlgorithm.None,
            1 => ChecksumAlgorithm.Crc32,
            _ => ChecksumAlgorithm.Undefined,
        };
    }

    /// <summary>QUERY post-header length announced by a FORMAT_DESCRIPTION event (13 when absent).</summary>
    public static int QueryPostHeaderLength(ReadOnlySpan<byte> fde)
    {
        var index = Header + 57 + ((int)BinlogEventType.Query - 1);
        return fde.Length > index + 5 ? fde[index] : 13;
    }

    public static string ServerVersion(ReadOnlySpan<byte> fde)
    {
        if (fde.Length < Header + 52)
        {
            return "";
        }

        var raw = fde.Slice(Header + 2, 50);
        var end = raw.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? raw : raw[..end]);
    }

    /// <summary>ROTATE: next file name and position.</summary>
    public static (string File, ulong Position) Rotate(ReadOnlySpan<byte> ev, int checksumSize)
    {
        var body = Body(ev, checksumSize, BinlogEventType.Rotate);
        var reader = new BinlogReader(body, Header);
        var pos = reader.ReadUInt64LE();
        var name = Encoding.UTF8.GetString(reader.ReadToEnd());
        if (name.Length == 0)
        {
            throw reader.Error("ROTATE without a file name");
        }

        return (name, pos);
    }

    /// <summary>MariaDB GTID event: id and flags2 (FL_STANDALONE = 1).</summary>
    public static (TransactionId Id, byte Flags) MariaDbGtid(ReadOnlySpan<byte> ev, int checksumSize)
    {
        var body = Body(ev, checksumSize, BinlogEventType.MariaDbGtid);
        var reader = new BinlogReader(body, Header);
        var seq = reader.ReadUInt64LE();
        var domain = reader.ReadUInt32LE();
        var flags = reader.ReadByte();
        var server = BinaryPrimitives.ReadUInt32LittleEndian(ev[5..]);
        return (TransactionId.MariaDb(domain, server, seq), flags);
    }

    public const byte MariaDbStandaloneFlag = 1;

    /// <summary>MySQL GTID_LOG_EVENT / GTID_TAGGED_LOG_EVENT: uuid, tag and gno (decoded by the Binlog project); null for ANONYMOUS_GTID.</summary>
    public static TransactionId? MySqlGtid(ReadOnlySpan<byte> ev, int checksumSize)
    {
        var header = EventHeader.Read(ev);
        var reader = new BinlogReader(Body(ev, checksumSize, header.EventType), Header);
        var gtid = GtidEvent.Read(ref reader, header, FormatContext.Default);
        return gtid.IsAnonymous || gtid.Gno < 1 ? null : TransactionId.MySql(gtid.SourceId, gtid.Tag, gtid.Gno);
    }

    /// <summary>The first bytes of a QUERY event's statement text (enough to recognise BEGIN/COMMIT/XA).</summary>
    public static ReadOnlySpan<byte> QueryText(ReadOnlySpan<byte> ev, int checksumSize, int postHeaderLength)
    {
        var body = Body(ev, checksumSize, BinlogEventType.Query);
        var reader = new BinlogReader(body, Header);
        reader.Skip(8);
        var dbLength = reader.ReadByte();
        reader.Skip(2);
        var statusLength = reader.ReadUInt16LE();
        reader.Seek(postHeaderLength);
        reader.Skip(statusLength);
        reader.Skip(dbLength + 1);
        return reader.ReadToEnd();
    }

    /// <summary>MySQL PREVIOUS_GTIDS (tagged or untagged encoding): the GTID set of all earlier files.</summary>
    public static MySqlGtidState PreviousGtids(ReadOnlySpan<byte> ev, int checksumSize)
    {
        var body = Body(ev, checksumSize, BinlogEventType.PreviousGtids);
        var reader = new BinlogReader(body, Header);
        var (entries, _) = PreviousGtidsEvent.ReadGtidSet(ref reader);
        var state = new MySqlGtidState();
        foreach (var entry in entries)
        {
            foreach (var range in entry.Ranges)
            {
                state.AddInterval(entry.SourceId, entry.Tag ?? "", range.First, range.Last);
            }
        }

        return state;
    }

    /// <summary>MariaDB GTID_LIST: the binlog state when the file was started.</summary>
    public static MariaDbGtidState GtidList(ReadOnlySpan<byte> ev, int checksumSize)
    {
        var body = Body(ev, checksumSize, BinlogEventType.MariaDbGtidList);
        var reader = new BinlogReader(body, Header);
        var count = reader.ReadUInt32LE() & 0x0FFFFFFF;
        var state = new MariaDbGtidState();
        for (uint i = 0; i < count; i++)
        {
            var domain = reader.ReadUInt32LE();
            var server = reader.ReadUInt32LE();
            var seq = reader.ReadUInt64LE();
            state.Set(TransactionId.MariaDb(domain, server, seq));
        }

        return state;
    }

    private static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> ev, int checksumSize, BinlogEventType type)
    {
        if (ev.Length < Header + checksumSize)
        {
            throw new BinlogFormatException($"{type} event of {ev.Length} bytes is shorter than its header", null, -1, type, ev.Length);
        }

        return ev[Header..^checksumSize];
    }
}

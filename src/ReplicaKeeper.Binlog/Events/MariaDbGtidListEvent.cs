using System.Globalization;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>One MariaDB GTID domain-server-seq.</summary>
public readonly record struct MariaDbGtidValue(uint DomainId, uint ServerId, ulong SequenceNumber)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{DomainId}-{ServerId}-{SequenceNumber}");
}

/// <summary>
/// MariaDB GTID_LIST_EVENT (163): after the FDE of every file, the binlog state (last GTID per
/// domain and server) at the start of the file. Layout: count(4; low 28 bits, high 4 bits
/// flags) then count × domain_id(4) server_id(4) seq_no(8).
/// </summary>
public sealed record MariaDbGtidListEvent(EventHeader Header, byte ListFlags, IReadOnlyList<MariaDbGtidValue> Gtids)
    : BinlogEvent(Header)
{
    /// <summary>"0-1-5,1-1-7" as MariaDB prints a GTID list.</summary>
    public string GtidListText => string.Join(',', Gtids);

    public static MariaDbGtidListEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var value = reader.ReadUInt32LE();
        reader.Skip(Math.Max(0, context.PostHeaderLength(BinlogEventType.MariaDbGtidList, 4) - 4));
        var count = value & ((1u << 28) - 1);
        if (count > (uint)reader.Remaining / 16)
        {
            throw reader.Error($"GTID list claims {count} entries in {reader.Remaining} bytes");
        }

        var list = new MariaDbGtidValue[count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = new MariaDbGtidValue(reader.ReadUInt32LE(), reader.ReadUInt32LE(), reader.ReadUInt64LE());
        }

        return new MariaDbGtidListEvent(header, (byte)(value >> 28), list);
    }
}

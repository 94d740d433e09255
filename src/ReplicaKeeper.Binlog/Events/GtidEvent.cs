using System.Globalization;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// MySQL GTID_LOG_EVENT (33), ANONYMOUS_GTID_LOG_EVENT (34) and GTID_TAGGED_LOG_EVENT (42,
/// MySQL 8.4+/9.x): the identity of the transaction that follows, with its group-commit logical
/// clock, commit timestamps (microseconds since the epoch), length and server versions.
/// The untagged layout is fixed: flags(1) sid(16) gno(8) lt_type(1)=2 last_committed(8)
/// sequence_number(8) then optional immediate_commit_timestamp(7, bit 55 = original follows)
/// [original(7)] transaction_length(packed) immediate_server_version(4, bit 31 = original follows)
/// [original(4)] commit_group_ticket(8). The tagged one uses mysql::serialization (see
/// <see cref="TaggedGtidSerialization"/>).
/// </summary>
public sealed record GtidEvent(
    EventHeader Header,
    byte Flags,
    Guid SourceId,
    string? Tag,
    long Gno,
    long LastCommitted,
    long SequenceNumber,
    ulong ImmediateCommitTimestamp,
    ulong OriginalCommitTimestamp,
    ulong TransactionLength,
    uint ImmediateServerVersion,
    uint OriginalServerVersion,
    ulong CommitGroupTicket) : BinlogEvent(Header)
{
    /// <summary>FLAG_MAY_HAVE_SBR: the transaction may contain statement-based events.</summary>
    public const byte MayHaveSbrFlag = 1;

    /// <summary>MySQL's "undefined" server version.</summary>
    public const uint UndefinedServerVersion = 999999;

    public bool IsAnonymous => Header.EventType == BinlogEventType.AnonymousGtid;

    public bool MayHaveStatementBasedEvents => (Flags & MayHaveSbrFlag) != 0;

    /// <summary>"uuid:gno" or "uuid:tag:gno" as MySQL prints it; "ANONYMOUS" for anonymous transactions.</summary>
    public string GtidText => IsAnonymous
        ? "ANONYMOUS"
        : Tag is null
            ? string.Create(CultureInfo.InvariantCulture, $"{SourceId:D}:{Gno}")
            : string.Create(CultureInfo.InvariantCulture, $"{SourceId:D}:{Tag}:{Gno}");

    public static GtidEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (header.EventType == BinlogEventType.GtidTagged)
        {
            return TaggedGtidSerialization.Read(ref reader, header);
        }

        var flags = reader.ReadByte();
        var sid = new Guid(reader.ReadBytes(16), bigEndian: true);
        var gno = (long)reader.ReadUInt64LE();
        if (header.EventType == BinlogEventType.Gtid && gno < 1)
        {
            throw reader.Error($"invalid GNO {gno}");
        }

        long lastCommitted = 0, sequenceNumber = 0;
        ulong immediate = 0, original = 0, length = 0, ticket = 0;
        uint immediateVersion = UndefinedServerVersion, originalVersion = UndefinedServerVersion;
        if (reader.Remaining >= 1)
        {
            var typeCode = reader.ReadByte();
            if (typeCode == 2)
            {
                lastCommitted = (long)reader.ReadUInt64LE();
                sequenceNumber = (long)reader.ReadUInt64LE();
                if (reader.Remaining >= 7)
                {
                    immediate = reader.ReadUIntLE(7);
                    const ulong originalFollows = 1UL << 55;
                    if ((immediate & originalFollows) != 0)
                    {
                        immediate &= ~originalFollows;
                        original = reader.ReadUIntLE(7);
                    }
                    else
                    {
                        original = immediate;
                    }

                    if (reader.Remaining >= 1)
                    {
                        length = reader.ReadLengthEncodedInteger();
                    }

                    if (reader.Remaining >= 4)
                    {
                        immediateVersion = reader.ReadUInt32LE();
                        const uint originalVersionFollows = 1U << 31;
                        if ((immediateVersion & originalVersionFollows) != 0)
                        {
                            immediateVersion &= ~originalVersionFollows;
                            originalVersion = reader.ReadUInt32LE();
                        }
                        else
                        {
                            originalVersion = immediateVersion;
                        }

                        if (reader.Remaining >= 8)
                        {
                            ticket = reader.ReadUInt64LE();
                        }
                    }
                }
            }
        }

        return new GtidEvent(
            header, flags, sid, null, gno, lastCommitted, sequenceNumber, immediate, original, length,
            immediateVersion, originalVersion, ticket);
    }
}

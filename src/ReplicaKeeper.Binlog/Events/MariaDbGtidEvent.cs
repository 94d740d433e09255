using System.Globalization;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// MariaDB GTID_EVENT (162): starts an event group (transaction or DDL) with GTID
/// domain-server-seq. Post-header (19): seq_no(8) domain_id(4) flags2(1) then, with
/// FL_GROUP_COMMIT_ID, commit_id(8); with FL_PREPARED_XA/FL_COMPLETED_XA, an XID
/// formatID(4) gtrid_len(1) bqual_len(1) data; then optional flags_extra(1)
/// [extra_engines(1)] [start-alter seq_no(8)]. Server id is the header's.
/// </summary>
public sealed record MariaDbGtidEvent(
    EventHeader Header,
    ulong SequenceNumber,
    uint DomainId,
    byte Flags,
    ulong? CommitId,
    XaXid? Xid,
    byte ExtraFlags,
    byte ExtraEngines,
    ulong? StartAlterSequenceNumber) : BinlogEvent(Header)
{
    public const byte FlagStandalone = 1;
    public const byte FlagGroupCommitId = 2;
    public const byte FlagTransactional = 4;
    public const byte FlagAllowParallel = 8;
    public const byte FlagWaited = 16;
    public const byte FlagDdl = 32;
    public const byte FlagPreparedXa = 64;
    public const byte FlagCompletedXa = 128;

    public const byte ExtraFlagMultiEngine = 1;
    public const byte ExtraFlagStartAlter = 2;
    public const byte ExtraFlagCommitAlter = 4;
    public const byte ExtraFlagRollbackAlter = 8;

    public uint ServerId => Header.ServerId;

    /// <summary>Not a transaction (DDL or non-transactional statement): no BEGIN/COMMIT around it.</summary>
    public bool IsStandalone => (Flags & FlagStandalone) != 0;

    public bool IsDdl => (Flags & FlagDdl) != 0;

    /// <summary>The group changed a transactional engine (mariadb-binlog prints "trans").</summary>
    public bool IsTransactional => (Flags & FlagTransactional) != 0;

    public bool IsPreparedXa => (Flags & FlagPreparedXa) != 0;

    public bool IsCompletedXa => (Flags & FlagCompletedXa) != 0;

    /// <summary>"domain-server-seq" as MariaDB prints it.</summary>
    public string GtidText => string.Create(CultureInfo.InvariantCulture, $"{DomainId}-{Header.ServerId}-{SequenceNumber}");

    public static MariaDbGtidEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = reader.Position;
        var sequence = reader.ReadUInt64LE();
        var domain = reader.ReadUInt32LE();
        var flags = reader.ReadByte();
        ulong? commitId = null;
        XaXid? xid = null;
        if ((flags & FlagGroupCommitId) != 0)
        {
            commitId = reader.ReadUInt64LE();
        }

        if ((flags & (FlagPreparedXa | FlagCompletedXa)) != 0)
        {
            var formatId = (int)reader.ReadUInt32LE();
            var gtridLength = reader.ReadByte();
            var bqualLength = reader.ReadByte();
            if (gtridLength > 64 || bqualLength > 64)
            {
                throw reader.Error($"XID lengths {gtridLength}/{bqualLength} exceed 64");
            }

            xid = new XaXid(formatId, reader.ReadBytes(gtridLength).ToArray(), reader.ReadBytes(bqualLength).ToArray());
        }

        byte extraFlags = 0, extraEngines = 0;
        ulong? startAlter = null;
        if (!reader.IsAtEnd)
        {
            extraFlags = reader.ReadByte();
            if ((extraFlags & ExtraFlagMultiEngine) != 0)
            {
                extraEngines = reader.ReadByte();
            }

            if ((extraFlags & (ExtraFlagCommitAlter | ExtraFlagRollbackAlter)) != 0)
            {
                startAlter = reader.ReadUInt64LE();
            }
        }

        // The rest of the fixed post-header (and any newer fields) is zero padding to us.
        var postHeader = context.PostHeaderLength(BinlogEventType.MariaDbGtid, 19);
        if (reader.Position - start < postHeader)
        {
            reader.Skip(Math.Min(reader.Remaining, postHeader - (reader.Position - start)));
        }

        _ = reader.ReadToEnd();
        return new MariaDbGtidEvent(header, sequence, domain, flags, commitId, xid, extraFlags, extraEngines, startAlter);
    }
}

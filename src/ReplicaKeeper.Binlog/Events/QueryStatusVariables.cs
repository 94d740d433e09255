namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// The status variables of a QUERY event (the session context the statement ran in). Each is
/// null when the event does not carry it. Decoded as mysqlbinlog does: codes in increasing
/// order; at the first unknown code the rest of the block is skipped (its length is known, so
/// the query text is still found) and <see cref="FirstUnknownCode"/> records it.
/// </summary>
public sealed record QueryStatusVariables
{
    public uint? Flags2 { get; init; }

    public ulong? SqlMode { get; init; }

    public string? Catalog { get; init; }

    public ushort? AutoIncrementIncrement { get; init; }

    public ushort? AutoIncrementOffset { get; init; }

    /// <summary>character_set_client collation id.</summary>
    public ushort? CharacterSetClient { get; init; }

    public ushort? CollationConnection { get; init; }

    public ushort? CollationServer { get; init; }

    public string? TimeZone { get; init; }

    public ushort? LcTimeNames { get; init; }

    public ushort? CollationDatabase { get; init; }

    public ulong? TableMapForUpdate { get; init; }

    public uint? MasterDataWritten { get; init; }

    public string? InvokerUser { get; init; }

    public string? InvokerHost { get; init; }

    /// <summary>Databases the statement touches; null when absent, empty when more than 16 (OVER_MAX_DBS).</summary>
    public IReadOnlyList<string>? UpdatedDbNames { get; init; }

    /// <summary>Microsecond part of the statement start time (MySQL Q_MICROSECONDS).</summary>
    public uint? Microseconds { get; init; }

    public bool? ExplicitDefaultsForTimestamp { get; init; }

    /// <summary>XID of a DDL that is logged with one (MySQL Q_DDL_LOGGED_WITH_XID).</summary>
    public ulong? DdlXid { get; init; }

    public ushort? DefaultCollationForUtf8mb4 { get; init; }

    public byte? SqlRequirePrimaryKey { get; init; }

    public byte? DefaultTableEncryption { get; init; }

    /// <summary>MariaDB Q_HRNOW: microsecond part of the statement start time.</summary>
    public uint? HrNowMicroseconds { get; init; }

    /// <summary>MariaDB Q_XID: the XID of a DDL statement.</summary>
    public ulong? MariaDbXid { get; init; }

    /// <summary>MariaDB Q_GTID_FLAGS3.</summary>
    public byte? GtidFlags3 { get; init; }

    /// <summary>The first status variable code this decoder does not know (the rest was skipped).</summary>
    public byte? FirstUnknownCode { get; init; }

    public static QueryStatusVariables Empty { get; } = new();
}

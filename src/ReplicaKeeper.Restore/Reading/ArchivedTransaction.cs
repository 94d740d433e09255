using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Restore.Reading;

/// <summary>
/// A committed transaction as the archive holds it, from its GTID event to its commit (XID, COMMIT,
/// or the DDL statement itself). <see cref="CommitTime"/> is microsecond-exact on MySQL
/// (original_commit_timestamp) and second-exact on MariaDB (the event timestamp).
/// <see cref="FormatDescription"/> is the raw FORMAT_DESCRIPTION event of the file it is in (replay needs it).
/// </summary>
public sealed record ArchivedTransaction(
    string? Gtid,
    DateTimeOffset CommitTime,
    bool HasMicroseconds,
    bool IsMariaDb,
    BinlogPosition Start,
    BinlogPosition End,
    IReadOnlyList<ArchivedEvent> Events,
    ReadOnlyMemory<byte> FormatDescription)
{
    /// <summary>Microseconds since the Unix epoch.</summary>
    public long CommitTimeMicroseconds => (CommitTime - DateTimeOffset.UnixEpoch).Ticks / 10;

    public override string ToString() => $"{Gtid ?? "(no GTID)"} at {Start} ({CommitTime:yyyy-MM-dd HH:mm:ss.ffffff})";
}

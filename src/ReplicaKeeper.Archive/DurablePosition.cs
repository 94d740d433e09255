namespace ReplicaKeeper.Archive;

/// <summary>
/// The end of the archive that is on disk and fsynced: every byte of <see cref="File"/> before
/// <see cref="Offset"/> is durable and <see cref="Offset"/> is a transaction boundary, so streaming
/// can resume exactly there. <see cref="Gtids"/> is the GTID set (MySQL) or GTID list (MariaDB)
/// of everything up to that point; <see cref="LastGtid"/> the last durable transaction.
/// </summary>
public sealed record DurablePosition(
    string File,
    long Offset,
    string? Gtids,
    string? LastGtid,
    DateTimeOffset? LastTransactionTime,
    bool IsMariaDb);

namespace ReplicaKeeper.Archive.Gtids;

/// <summary>
/// The set of transactions a binlog prefix contains, in the server's own notation: a MySQL GTID
/// set (<c>uuid:1-5:tag:1-3,...</c>) or a MariaDB GTID list (<c>0-1-100,1-2-7</c>, last per domain).
/// Mutable builder; <see cref="ToString"/> gives the canonical text that is persisted.
/// </summary>
public abstract class GtidState
{
    /// <summary>Adds one transaction. Returns false when it is already contained or goes backwards (a duplicate or reorder).</summary>
    public abstract bool Add(TransactionId id);

    /// <summary>True when the transaction is part of this state.</summary>
    public abstract bool Contains(TransactionId id);

    public abstract GtidState Clone();

    public abstract bool IsEmpty { get; }

    public static GtidState Empty(bool mariaDb) => mariaDb ? new MariaDbGtidState() : new MySqlGtidState();

    /// <summary>Parses text produced by <see cref="ToString"/> for the given flavour.</summary>
    public static GtidState Parse(string text, bool mariaDb) => mariaDb ? MariaDbGtidState.Parse(text) : MySqlGtidState.Parse(text);
}

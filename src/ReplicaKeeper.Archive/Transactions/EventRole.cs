namespace ReplicaKeeper.Archive.Transactions;

/// <summary>Where an event stands relative to transaction boundaries.</summary>
public enum EventRole
{
    /// <summary>Outside any transaction (FORMAT_DESCRIPTION, PREVIOUS_GTIDS, GTID_LIST, ROTATE, STOP...).</summary>
    Control,

    /// <summary>Opens a transaction (GTID, BEGIN) that is not complete yet.</summary>
    Begin,

    /// <summary>Inside an open transaction.</summary>
    Inside,

    /// <summary>Completes a transaction (XID, COMMIT, DDL, XA PREPARE, MariaDB standalone statement, TRANSACTION_PAYLOAD).</summary>
    End,
}

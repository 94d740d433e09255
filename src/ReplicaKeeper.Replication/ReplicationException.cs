namespace ReplicaKeeper.Replication;

/// <summary>Why replication stopped, in the terms an operator acts on.</summary>
public enum ReplicationErrorKind
{
    /// <summary>Anything else.</summary>
    Other,

    /// <summary>Wrong user name or password, or the account may not log in from here.</summary>
    Authentication,

    /// <summary>The replication user lacks a privilege (REPLICATION SLAVE, REPLICATION CLIENT).</summary>
    MissingPrivilege,

    /// <summary>The requested position or GTIDs are no longer in the source's binlogs (purged).</summary>
    PositionPurged,

    /// <summary>The source refused the requested start position (beyond the end, not a boundary, unknown file).</summary>
    InvalidStartPosition,

    /// <summary>The source is not set up for this: binlog off, binlog_format not ROW, gtid_mode off for a GTID start.</summary>
    ServerConfiguration,

    /// <summary>An event failed its CRC32 check or could not be decoded.</summary>
    CorruptEvent,

    /// <summary>The source could not be reached (after the retries the policy allows).</summary>
    Unreachable,
}

/// <summary>Replication cannot continue; the message says what happened and what to do.</summary>
public sealed class ReplicationException : Exception
{
    public ReplicationException()
        : this(ReplicationErrorKind.Other, "Replication failed.")
    {
    }

    public ReplicationException(string message)
        : this(ReplicationErrorKind.Other, message)
    {
    }

    public ReplicationException(string message, Exception innerException)
        : this(ReplicationErrorKind.Other, message, innerException)
    {
    }

    public ReplicationException(ReplicationErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public ReplicationErrorKind Kind { get; }

    /// <summary>The source's error number when the source reported the error, else 0.</summary>
    public int ServerErrorCode => (InnerException as Protocol.MySqlServerException)?.ErrorCode ?? 0;
}

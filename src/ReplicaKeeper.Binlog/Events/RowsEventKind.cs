namespace ReplicaKeeper.Binlog.Events;

/// <summary>What a rows event does to its rows.</summary>
public enum RowsEventKind : byte
{
    /// <summary>WRITE_ROWS: inserted rows (after images).</summary>
    Write,

    /// <summary>UPDATE_ROWS: before and after image per row.</summary>
    Update,

    /// <summary>DELETE_ROWS: deleted rows (before images).</summary>
    Delete,

    /// <summary>PARTIAL_UPDATE_ROWS: like UPDATE, JSON columns of the after image may be diffs.</summary>
    PartialUpdate,
}

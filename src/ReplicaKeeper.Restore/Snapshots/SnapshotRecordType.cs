namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// The records of a snapshot stream (see <see cref="SnapshotStreamWriter"/>), one byte each. A snapshot is
/// <c>Header, (Database | Table, Rows*, TableEnd | View | Trigger | Routine | Event)*, End</c>; a stream without its End
/// record is truncated. Routine and Event records were added after the first snapshots were written: older snapshots
/// simply have none (they still load), so the format name stays rksnap-1.
/// </summary>
internal enum SnapshotRecordType : byte
{
    /// <summary>JSON <see cref="SnapshotHeader"/>.</summary>
    Header = (byte)'H',

    /// <summary>JSON <see cref="SnapshotObject"/>: a schema and its CREATE DATABASE text.</summary>
    Database = (byte)'D',

    /// <summary>JSON <see cref="SnapshotTable"/>: CREATE TABLE text and the columns the rows carry.</summary>
    Table = (byte)'T',

    /// <summary>A batch of rows of the current table, see <see cref="SnapshotRows"/>.</summary>
    Rows = (byte)'R',

    /// <summary>JSON <see cref="SnapshotTableEnd"/>: row count of the current table.</summary>
    TableEnd = (byte)'E',

    /// <summary>JSON <see cref="SnapshotObject"/>: a view, created after every table.</summary>
    View = (byte)'V',

    /// <summary>JSON <see cref="SnapshotObject"/>: a trigger, created after the data is loaded.</summary>
    Trigger = (byte)'G',

    /// <summary>JSON <see cref="SnapshotDefinition"/>: a stored procedure or function, created after the data is loaded.</summary>
    Routine = (byte)'P',

    /// <summary>JSON <see cref="SnapshotDefinition"/>: an event, created last and DISABLED (see <see cref="SnapshotLoader"/>).</summary>
    Event = (byte)'J',

    /// <summary>JSON <see cref="SnapshotTableEnd"/> totals: the snapshot is complete.</summary>
    End = (byte)'Z',
}

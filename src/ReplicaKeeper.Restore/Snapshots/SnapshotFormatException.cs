namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>A snapshot cannot be used: damaged, truncated, tampered with, or not a snapshot. Names the snapshot.</summary>
public sealed class SnapshotFormatException : Exception
{
    public SnapshotFormatException()
    {
    }

    public SnapshotFormatException(string message)
        : base(message)
    {
    }

    public SnapshotFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

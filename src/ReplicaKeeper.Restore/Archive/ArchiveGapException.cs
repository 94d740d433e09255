namespace ReplicaKeeper.Restore.Archive;

/// <summary>A segment the restore needs is missing, damaged or out of sequence. Nothing was written to the target.</summary>
public sealed class ArchiveGapException : Exception
{
    public ArchiveGapException()
    {
    }

    public ArchiveGapException(string message)
        : base(message)
    {
    }

    public ArchiveGapException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

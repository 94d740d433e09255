namespace ReplicaKeeper.Archive;

/// <summary>
/// The event stream cannot be archived as it is: an event does not continue the segment where
/// it ended (gap or overlap), an event arrives before its file was opened, a checksum is wrong.
/// Nothing of the offending event was written.
/// </summary>
public sealed class ArchiveStreamException : Exception
{
    public ArchiveStreamException()
    {
    }

    public ArchiveStreamException(string message)
        : base(message)
    {
    }

    public ArchiveStreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace ReplicaKeeper.Archive.Configuration;

/// <summary>The archive configuration is unreadable or invalid; the message names the bad key and what to do.</summary>
public sealed class ArchiveConfigException : Exception
{
    public ArchiveConfigException()
    {
    }

    public ArchiveConfigException(string message)
        : base(message)
    {
    }

    public ArchiveConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>The off-site store cannot be reached, refused a request, or the local archive cannot be copied as it is.</summary>
public sealed class OffsiteException : Exception
{
    public OffsiteException()
    {
    }

    public OffsiteException(string message)
        : base(message)
    {
    }

    public OffsiteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace ReplicaKeeper.Standby.Compare;

/// <summary>The standby did not reach the source's position in time (or the source kept moving).</summary>
public sealed class CompareTimeoutException : Exception
{
    public CompareTimeoutException()
    {
    }

    public CompareTimeoutException(string message)
        : base(message)
    {
    }

    public CompareTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

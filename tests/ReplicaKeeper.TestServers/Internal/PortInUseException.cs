namespace ReplicaKeeper.TestServers.Internal;

/// <summary>The server could not bind its port (another process took it between probe and start).</summary>
internal sealed class PortInUseException : Exception
{
    public PortInUseException()
    {
    }

    public PortInUseException(string message)
        : base(message)
    {
    }

    public PortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

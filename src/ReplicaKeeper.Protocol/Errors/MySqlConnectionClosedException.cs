namespace ReplicaKeeper.Protocol;

/// <summary>
/// The server (or something in between) closed the connection: before a packet started, or in the
/// middle of one. An <see cref="IOException"/>, so retry logic that handles network errors covers it.
/// </summary>
public sealed class MySqlConnectionClosedException : IOException
{
    public MySqlConnectionClosedException()
        : base("The server closed the connection.")
    {
    }

    public MySqlConnectionClosedException(string message)
        : base(message)
    {
    }

    public MySqlConnectionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

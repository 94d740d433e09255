namespace ReplicaKeeper.Protocol;

/// <summary>
/// The bytes received do not follow the MySQL client/server protocol (malformed packet, wrong
/// sequence id, unexpected packet type). The connection is unusable afterwards; open a new one.
/// </summary>
public sealed class MySqlProtocolException : Exception
{
    public MySqlProtocolException()
        : base("The server sent data that does not follow the MySQL protocol.")
    {
    }

    public MySqlProtocolException(string message)
        : base(message)
    {
    }

    public MySqlProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using System.Security.Authentication;

namespace ReplicaKeeper.Protocol;

/// <summary>
/// TLS could not be established as the <see cref="TlsMode"/> demands: the server does not offer TLS,
/// the handshake failed, or the server certificate failed validation (the message names the reason).
/// </summary>
public sealed class MySqlTlsException : AuthenticationException
{
    public MySqlTlsException()
        : base("TLS could not be established.")
    {
    }

    public MySqlTlsException(string message)
        : base(message)
    {
    }

    public MySqlTlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

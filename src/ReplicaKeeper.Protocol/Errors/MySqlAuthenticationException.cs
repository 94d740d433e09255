namespace ReplicaKeeper.Protocol;

/// <summary>
/// Authentication cannot proceed on the client side: an unsupported authentication plugin, or
/// caching_sha2_password full authentication without TLS, RSA key file or permission to retrieve the
/// key. A wrong password is reported by the server as <see cref="MySqlServerException"/> (1045).
/// </summary>
public sealed class MySqlAuthenticationException : Exception
{
    public MySqlAuthenticationException()
        : base("Authentication failed.")
    {
    }

    public MySqlAuthenticationException(string message)
        : base(message)
    {
    }

    public MySqlAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

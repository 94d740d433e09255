namespace ReplicaKeeper.Protocol;

/// <summary>
/// How a connection uses TLS. The names follow MySqlConnector's SslMode (None = <see cref="Disabled"/>).
/// </summary>
public enum TlsMode
{
    /// <summary>Never use TLS.</summary>
    Disabled,

    /// <summary>Use TLS if the server offers it, without verifying the certificate; otherwise plain text.</summary>
    Preferred,

    /// <summary>Require TLS; do not verify the certificate (encrypts, but does not stop a man in the middle).</summary>
    Required,

    /// <summary>Require TLS and a certificate chaining to a trusted CA (the SslCa file if given); the host name is not checked.</summary>
    VerifyCA,

    /// <summary>Like <see cref="VerifyCA"/>, and the certificate must name the host (DNS or IP subject alternative name).</summary>
    VerifyFull,
}

using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ReplicaKeeper.Protocol.Tls;

/// <summary>
/// Wraps the socket stream in TLS after the SSL request packet and validates the server certificate
/// as the <see cref="TlsMode"/> requires. Revocation is not checked (no network access assumed).
/// </summary>
internal static class TlsNegotiator
{
    public static async ValueTask<SslStream> AuthenticateAsync(Stream inner, TlsMode mode, string host, string? caFile, CancellationToken cancellationToken)
    {
        using var trustedRoots = caFile is not null && mode is TlsMode.VerifyCA or TlsMode.VerifyFull ? LoadCaFile(caFile) : null;
        string? failure = null;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                failure = Validate(mode, host, caFile, trustedRoots, certificate, chain, errors);
                return failure is null;
            },
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new MySqlTlsException(
                failure is not null
                    ? $"The TLS certificate of {host} was rejected (SslMode={mode}): {failure}"
                    : $"The TLS handshake with {host} failed: {ex.Message}",
                ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Returns null if the certificate is acceptable for <paramref name="mode"/>, else the reason.</summary>
    internal static string? Validate(
        TlsMode mode,
        string host,
        string? caFile,
        X509Certificate2Collection? trustedRoots,
        X509Certificate? certificate,
        X509Chain? chain,
        SslPolicyErrors errors)
    {
        if (mode is not (TlsMode.VerifyCA or TlsMode.VerifyFull))
        {
            return null;
        }

        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return "the server presented no certificate";
        }

        X509Certificate2 serverCertificate = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            if (trustedRoots is not null)
            {
                using var customChain = new X509Chain();
                customChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                customChain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
                customChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (chain is not null)
                {
                    foreach (X509ChainElement element in chain.ChainElements)
                    {
                        customChain.ChainPolicy.ExtraStore.Add(element.Certificate);
                    }
                }

                if (!customChain.Build(serverCertificate))
                {
                    return $"the certificate '{serverCertificate.Subject}' (issuer '{serverCertificate.Issuer}') does not chain to a CA in SslCa '{caFile}': {Describe(customChain)}";
                }
            }
            else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return $"the certificate '{serverCertificate.Subject}' (issuer '{serverCertificate.Issuer}') is not trusted by the system CA store (set SslCa to the server's CA file): {(chain is null ? "no chain" : Describe(chain))}";
            }

            if (mode == TlsMode.VerifyFull && !serverCertificate.MatchesHostname(host))
            {
                return $"the certificate '{serverCertificate.Subject}' does not name the host '{host}' (VerifyFull checks DNS and IP subject alternative names; VerifyCA does not)";
            }

            return null;
        }
        finally
        {
            if (!ReferenceEquals(serverCertificate, certificate))
            {
                serverCertificate.Dispose();
            }
        }
    }

    private static string Describe(X509Chain chain)
    {
        var statuses = chain.ChainStatus
            .Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Select(s => $"{s.Status} ({s.StatusInformation.Trim()})")
            .Distinct()
            .ToList();
        return statuses.Count == 0 ? "chain building failed" : string.Join("; ", statuses);
    }

    private static DisposableCollection LoadCaFile(string caFile)
    {
        var collection = new DisposableCollection();
        try
        {
            collection.ImportFromPemFile(caFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            collection.Dispose();
            throw new MySqlTlsException($"Cannot read the CA certificate file (SslCa) '{caFile}': {ex.Message}", ex);
        }

        if (collection.Count == 0)
        {
            collection.Dispose();
            throw new MySqlTlsException($"The CA certificate file (SslCa) '{caFile}' contains no PEM certificate.");
        }

        return collection;
    }

    private sealed class DisposableCollection : X509Certificate2Collection, IDisposable
    {
        public void Dispose()
        {
            foreach (X509Certificate2 certificate in this)
            {
                certificate.Dispose();
            }
        }
    }
}

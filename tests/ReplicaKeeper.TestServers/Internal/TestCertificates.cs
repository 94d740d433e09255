using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// A throwaway certificate authority and a server certificate for 127.0.0.1 (CN and IP SAN), written as PEM files
/// (ca.pem, server-cert.pem, server-key.pem) for --ssl-ca/--ssl-cert/--ssl-key. Generated in-process with
/// System.Security.Cryptography, which is what <c>openssl req -x509</c> + <c>openssl x509 -req</c> would do.
/// </summary>
internal static class TestCertificates
{
    public const string CaFileName = "ca.pem";
    public const string CertificateFileName = "server-cert.pem";
    public const string KeyFileName = "server-key.pem";

    public static void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddYears(5);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=ReplicaKeeper Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var server = serverRequest.Create(ca, notBefore, notAfter.AddDays(-1), serial);

        File.WriteAllText(Path.Combine(directory, CaFileName), ca.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, CertificateFileName), server.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, KeyFileName), serverKey.ExportRSAPrivateKeyPem() + "\n");
    }
}

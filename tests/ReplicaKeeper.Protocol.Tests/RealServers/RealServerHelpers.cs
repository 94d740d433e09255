using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Protocol.Tests.RealServers;

internal static class RealServerHelpers
{
    public static ConnectionOptions Options(this TestServer server, string user, string password, TlsMode tlsMode, string? host = null) => new()
    {
        Host = host ?? server.Host,
        Port = server.Port,
        UserName = user,
        Password = password,
        TlsMode = tlsMode,
        TlsCaFile = server.CaCertificatePath,
        ConnectionTimeout = TimeSpan.FromSeconds(60),
    };

    public static ConnectionOptions AdminOptions(this TestServer server, TlsMode tlsMode = TlsMode.VerifyFull) =>
        server.Options(server.AdminUser, server.AdminPassword, tlsMode);

    /// <summary>A unique account name per call, so each test controls its own server-side state (e.g. the caching_sha2 cache).</summary>
    public static string NewUserName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..24];

    /// <summary>A CA that did not sign the server certificate, as a PEM file.</summary>
    public static string WriteUnrelatedCaFile()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some Other CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        string path = Path.Combine(Path.GetTempPath(), $"rk-other-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }
}

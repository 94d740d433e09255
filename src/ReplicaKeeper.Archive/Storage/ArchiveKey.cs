using System.Security.Cryptography;
using System.Text;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// The 32-byte AES-256 key closed segments are encrypted with. Loaded from a key file or an
/// environment variable holding it as base64 or hex — never from the config file, never logged.
/// <see cref="KeyId"/> is a fingerprint (first 16 bytes of a SHA-256 over a fixed label and the
/// key) stored with each segment so a wrong key is recognised before any decryption.
/// </summary>
public sealed class ArchiveKey : IDisposable
{
    public const string DefaultEnvironmentVariable = "REPLICAKEEPER_ARCHIVE_KEY";
    public const int Size = 32;
    private static readonly byte[] FingerprintLabel = Encoding.ASCII.GetBytes("replicakeeper archive key v1\0");
    private readonly byte[] _key;

    public ArchiveKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != Size)
        {
            throw new ArchiveKeyException($"the archive key must be {Size} bytes, got {key.Length}");
        }

        _key = key.ToArray();
        var fingerprint = SHA256.HashData([.. FingerprintLabel, .. _key]);
        KeyId = Convert.ToHexStringLower(fingerprint.AsSpan(0, 16));
    }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>Parses base64 or hex text (whitespace ignored).</summary>
    public static ArchiveKey Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var compact = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        if (compact.Length == Size * 2 && compact.All(char.IsAsciiHexDigit))
        {
            return new ArchiveKey(Convert.FromHexString(compact));
        }

        var buffer = new byte[compact.Length];
        if (Convert.TryFromBase64String(compact, buffer, out var written))
        {
            if (written != Size)
            {
                throw new ArchiveKeyException($"the archive key in {source} decodes to {written} bytes; it must be {Size} bytes (base64 or 64 hex digits)");
            }

            return new ArchiveKey(buffer.AsSpan(0, written));
        }

        throw new ArchiveKeyException($"the archive key in {source} is neither base64 nor 64 hex digits");
    }

    /// <summary>
    /// Loads the key from <paramref name="keyFile"/> if given, else from the environment variable
    /// <paramref name="environmentVariable"/> (default REPLICAKEEPER_ARCHIVE_KEY). Null when neither is set.
    /// </summary>
    public static ArchiveKey? Load(string? keyFile, string? environmentVariable = null)
    {
        if (!string.IsNullOrEmpty(keyFile))
        {
            if (!File.Exists(keyFile))
            {
                throw new ArchiveKeyException($"key file {keyFile} does not exist");
            }

            return Parse(File.ReadAllText(keyFile), $"key file {keyFile}");
        }

        var name = string.IsNullOrEmpty(environmentVariable) ? DefaultEnvironmentVariable : environmentVariable;
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : Parse(value, $"environment variable {name}");
    }

    public static string NewKeyBase64() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(Size));

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}

/// <summary>The archive key is missing, malformed, or not the one the archive was encrypted with.</summary>
public sealed class ArchiveKeyException : Exception
{
    public ArchiveKeyException()
    {
    }

    public ArchiveKeyException(string message)
        : base(message)
    {
    }

    public ArchiveKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

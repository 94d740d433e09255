using System.Security.Cryptography;
using System.Text;

namespace ReplicaKeeper.Protocol.Authentication;

/// <summary>Challenge responses of the password-based authentication plugins.</summary>
internal static class PasswordScrambles
{
    /// <summary>mysql_native_password: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))); empty for an empty password.</summary>
    public static byte[] NativePassword(string? password, ReadOnlySpan<byte> nonce) =>
        HashScramble(password, nonce, HashAlgorithmName.SHA1, SHA1.HashSizeInBytes, nonceFirst: true);

    /// <summary>caching_sha2_password: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce); empty for an empty password.</summary>
    public static byte[] CachingSha2Password(string? password, ReadOnlySpan<byte> nonce) =>
        HashScramble(password, nonce, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes, nonceFirst: false);

    /// <summary>
    /// The scramble both hash-based plugins share: H(password) XOR H(nonce + H(H(password))), with
    /// the nonce (its first 20 bytes) after the double hash instead of before it when <paramref name="nonceFirst"/> is false.
    /// </summary>
    private static byte[] HashScramble(string? password, ReadOnlySpan<byte> nonce, HashAlgorithmName algorithm, int size, bool nonceFirst)
    {
        if (string.IsNullOrEmpty(password))
        {
            return [];
        }

        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        Span<byte> stage1 = stackalloc byte[size];
        Span<byte> stage2 = stackalloc byte[size];
        Span<byte> mix = stackalloc byte[size];
        try
        {
            CryptographicOperations.HashData(algorithm, passwordBytes, stage1);
            CryptographicOperations.HashData(algorithm, stage1, stage2);
            var salt = nonce[..Math.Min(20, nonce.Length)];
            using var hash = IncrementalHash.CreateHash(algorithm);
            hash.AppendData(nonceFirst ? salt : stage2);
            hash.AppendData(nonceFirst ? stage2 : salt);
            hash.GetHashAndReset(mix);
            byte[] result = new byte[size];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (byte)(stage1[i] ^ mix[i]);
            }

            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(stage1);
        }
    }

    /// <summary>MariaDB client_ed25519: Ed25519 signature of the 32-byte nonce, key derived from SHA-512(password).</summary>
    public static byte[] MariaDbEd25519(string? password, ReadOnlySpan<byte> nonce)
    {
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password ?? string.Empty);
        try
        {
            return Ed25519.Sign(passwordBytes, nonce);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
        }
    }

    /// <summary>Password + NUL, as sent in clear over a secure transport.</summary>
    public static byte[] ClearPassword(string? password)
    {
        string value = password ?? string.Empty;
        byte[] result = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, result);
        return result;
    }

    /// <summary>
    /// caching_sha2_password full authentication without TLS: (password + NUL) XOR nonce (repeated),
    /// encrypted with the server's RSA public key using OAEP with SHA-1 (what MySQL 8.0.5+ expects).
    /// </summary>
    public static byte[] RsaEncryptedPassword(string? password, ReadOnlySpan<byte> nonce, string publicKeyPem)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(publicKeyPem);
        }
        catch (ArgumentException ex)
        {
            throw new MySqlAuthenticationException("The server's RSA public key is not a valid PEM public key.", ex);
        }

        byte[] data = ClearPassword(password);
        try
        {
            if (nonce.Length > 0)
            {
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] ^= nonce[i % nonce.Length];
                }
            }

            return rsa.Encrypt(data, RSAEncryptionPadding.OaepSHA1);
        }
        catch (CryptographicException ex)
        {
            throw new MySqlAuthenticationException("Encrypting the password with the server's RSA public key failed (password too long for the key?).", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }
}

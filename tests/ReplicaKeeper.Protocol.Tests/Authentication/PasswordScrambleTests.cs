using System.Security.Cryptography;
using System.Text;
using ReplicaKeeper.Protocol.Authentication;

namespace ReplicaKeeper.Protocol.Tests.Authentication;

public class PasswordScrambleTests
{
    private static readonly byte[] Nonce = Encoding.ASCII.GetBytes("abcdefghij0123456789");

    [Fact]
    public void Native_password_scramble_lets_the_server_recover_the_stored_hash()
    {
        // The server stores SHA1(SHA1(pw)) and checks SHA1(response XOR SHA1(nonce + stored)) == stored.
        byte[] stored = SHA1.HashData(SHA1.HashData(Encoding.UTF8.GetBytes("s3cret!")));
        byte[] response = PasswordScrambles.NativePassword("s3cret!", Nonce);

        byte[] mix = SHA1.HashData([.. Nonce, .. stored]);
        byte[] candidate = response.Zip(mix, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(stored, SHA1.HashData(candidate));
    }

    [Fact]
    public void Caching_sha2_scramble_lets_the_server_recover_the_stored_hash()
    {
        // The server caches SHA256(SHA256(pw)) and checks SHA256(response XOR SHA256(cached + nonce)) == cached.
        byte[] cached = SHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes("s3cret!")));
        byte[] response = PasswordScrambles.CachingSha2Password("s3cret!", Nonce);

        byte[] mix = SHA256.HashData([.. cached, .. Nonce]);
        byte[] candidate = response.Zip(mix, (a, b) => (byte)(a ^ b)).ToArray();
        Assert.Equal(cached, SHA256.HashData(candidate));
    }

    [Fact]
    public void Empty_passwords_send_empty_scrambles()
    {
        Assert.Empty(PasswordScrambles.NativePassword("", Nonce));
        Assert.Empty(PasswordScrambles.CachingSha2Password(null, Nonce));
    }

    [Fact]
    public void Rsa_encrypted_password_decrypts_to_the_password_xor_nonce()
    {
        using var rsa = RSA.Create(2048);
        byte[] encrypted = PasswordScrambles.RsaEncryptedPassword("s3cret!", Nonce, rsa.ExportSubjectPublicKeyInfoPem());

        byte[] plain = rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1);
        byte[] password = plain.Select((b, i) => (byte)(b ^ Nonce[i % Nonce.Length])).ToArray();
        Assert.Equal("s3cret!\0", Encoding.UTF8.GetString(password));
    }
}

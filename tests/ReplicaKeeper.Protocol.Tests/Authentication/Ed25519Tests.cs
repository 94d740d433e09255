using System.Text;
using ReplicaKeeper.Protocol.Authentication;

namespace ReplicaKeeper.Protocol.Tests.Authentication;

public class Ed25519Tests
{
    // RFC 8032 section 7.1, tests 1-3: standard Ed25519 hashes the 32-byte secret exactly as MariaDB hashes the password.
    [Theory]
    [InlineData(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData(
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData(
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void Matches_the_rfc8032_test_vectors(string secret, string publicKey, string message, string signature)
    {
        byte[] secretBytes = Convert.FromHexString(secret);
        byte[] messageBytes = Convert.FromHexString(message);

        Assert.Equal(publicKey, Convert.ToHexStringLower(Ed25519.PublicKey(secretBytes)));
        Assert.Equal(signature, Convert.ToHexStringLower(Ed25519.Sign(secretBytes, messageBytes)));
        Assert.True(Ed25519.Verify(Convert.FromHexString(publicKey), messageBytes, Convert.FromHexString(signature)));
    }

    [Fact]
    public void Derives_the_public_key_mariadb_documents_for_the_password_secret()
    {
        // MariaDB's ed25519 docs: CREATE USER ... IDENTIFIED VIA ed25519 USING 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY' is password 'secret'.
        string stored = Convert.ToBase64String(Ed25519.PublicKey(Encoding.UTF8.GetBytes("secret"))).TrimEnd('=');
        Assert.Equal("ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY", stored);
    }

    [Fact]
    public void Signs_a_mariadb_nonce_with_a_long_password_verifiably()
    {
        byte[] nonce = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
        string password = new('p', 100);
        byte[] signature = PasswordScrambles.MariaDbEd25519(password, nonce);

        byte[] publicKey = Ed25519.PublicKey(Encoding.UTF8.GetBytes(password));
        Assert.True(Ed25519.Verify(publicKey, nonce, signature));
        signature[5] ^= 1;
        Assert.False(Ed25519.Verify(publicKey, nonce, signature));
    }
}

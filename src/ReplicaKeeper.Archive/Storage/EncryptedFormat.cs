using System.Buffers.Binary;
using System.Text;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// Layout of an encrypted segment (format 1):
/// <code>
/// header (35 bytes): "RKENC" | version 1 | algorithm 1 = AES-256-GCM | chunk size u32 LE | key id (16) | nonce prefix (8, random)
/// chunk*:            length u32 LE (bit 31 = final chunk) | ciphertext (length bytes) | tag (16)
/// </code>
/// Chunk i uses nonce = prefix | i (u32 BE) and associated data = header | i (u32 BE) | final flag,
/// so chunks cannot be reordered, dropped, truncated or moved to another file undetected. The
/// last chunk is always marked final (it may be empty).
/// </summary>
internal static class EncryptedFormat
{
    public const int HeaderSize = 35;
    public const int TagSize = 16;
    public const int NonceSize = 12;
    public const byte Version = 1;
    public const byte AesGcm256 = 1;
    public const int DefaultChunkSize = 1 << 20;
    public const uint FinalFlag = 0x8000_0000;
    public static ReadOnlySpan<byte> Magic => "RKENC"u8;

    public static byte[] Header(int chunkSize, string keyId, ReadOnlySpan<byte> noncePrefix)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        header[5] = Version;
        header[6] = AesGcm256;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(7), (uint)chunkSize);
        Convert.FromHexString(keyId).CopyTo(header.AsSpan(11, 16));
        noncePrefix.CopyTo(header.AsSpan(27, 8));
        return header;
    }

    public static void Nonce(ReadOnlySpan<byte> header, uint chunk, Span<byte> nonce)
    {
        header.Slice(27, 8).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], chunk);
    }

    public static byte[] AssociatedData(ReadOnlySpan<byte> header, uint chunk, bool final)
    {
        var aad = new byte[HeaderSize + 5];
        header.CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(HeaderSize), chunk);
        aad[^1] = final ? (byte)1 : (byte)0;
        return aad;
    }

    public static string KeyId(ReadOnlySpan<byte> header) => Convert.ToHexStringLower(header.Slice(11, 16));

    public static bool IsEncrypted(ReadOnlySpan<byte> start) => start.Length >= 5 && start[..5].SequenceEqual(Magic);

    public static string Describe(ReadOnlySpan<byte> header) =>
        Encoding.ASCII.GetString(header[..5]) + " v" + header[5] + (header[6] == AesGcm256 ? " AES-256-GCM" : " unknown algorithm");
}

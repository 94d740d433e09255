using ZstdSharp;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// How a closed segment is stored: zstd-compressed (<c>.zst</c>) and, with a key, then encrypted
/// (<c>.zst.aes</c>, see <see cref="EncryptedFormat"/>). Opens stored segments back as the original bytes.
/// </summary>
public static class SegmentCodec
{
    public const string Zstd = "zstd";
    public const string AesGcm = "aes-256-gcm";
    public const int CompressionLevel = 3;

    public static string StoredName(string segment, bool encrypted) => segment + (encrypted ? ".zst.aes" : ".zst");

    /// <summary>A write stream that compresses (and encrypts) into <paramref name="target"/>; dispose it to finish.</summary>
    public static Stream OpenWriter(Stream target, ArchiveKey? key)
    {
        Stream inner = key is null ? target : new EncryptingStream(target, key, leaveOpen: true);
        return new CompressionStream(inner, CompressionLevel, leaveOpen: key is null);
    }

    /// <summary>
    /// Opens a stored segment as its original bytes. Throws <see cref="ArchiveKeyException"/> when it is
    /// encrypted and the key is missing or wrong, <see cref="InvalidDataException"/> when it is damaged.
    /// </summary>
    public static Stream OpenReader(Stream stored, ArchiveKey? key, string name)
    {
        ArgumentNullException.ThrowIfNull(stored);
        Span<byte> probe = stackalloc byte[5];
        var buffered = new BufferedStream(stored, 1 << 16);
        var got = buffered.Read(probe);
        buffered.Seek(0, SeekOrigin.Begin);
        Stream source = got == 5 && EncryptedFormat.IsEncrypted(probe) ? new DecryptingStream(buffered, key, name) : buffered;
        return new DecompressionStream(source, leaveOpen: false);
    }

    /// <summary>Key id an encrypted stored segment names in its header, or null when it is not encrypted.</summary>
    public static string? EncryptionKeyId(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> header = stackalloc byte[EncryptedFormat.HeaderSize];
        var got = stream.Read(header);
        return DecryptingStream.PeekKeyId(header[..got]);
    }
}

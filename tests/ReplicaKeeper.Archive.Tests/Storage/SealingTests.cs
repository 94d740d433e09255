using System.Security.Cryptography;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Storage;

public sealed class SealingTests
{
    [Theory]
    [InlineData("mariadb", false)]
    [InlineData("mysql", true)]
    public async Task Sealed_segments_decode_to_the_masters_files_and_are_recorded_in_a_hash_chain(string flavor, bool encrypted)
    {
        using var dir = new TempDirectory();
        using var key = encrypted ? new ArchiveKey(RandomNumberGenerator.GetBytes(32)) : null;
        await ArchiveBuilder.BuildAsync(dir.Layout, flavor, key);

        var manifest = await Manifest.ReadAsync(dir.Layout, CancellationToken.None);
        var names = MasterFiles.Names(flavor);
        Assert.Equal(names[..^1], manifest.Entries.Select(e => e.Segment));
        Assert.Equal(ManifestEntry.GenesisHash, manifest.Entries[0].Prev);
        Assert.Equal(manifest.Lines[0].Hash, manifest.Entries[1].Prev);
        foreach (var entry in manifest.Entries)
        {
            var original = MasterFiles.Bytes(flavor, entry.Segment);
            await using var stored = File.OpenRead(dir.Layout.SealedPath(entry.StoredName!));
            await using var reader = SegmentCodec.OpenReader(stored, key, entry.Segment);
            using var decoded = new MemoryStream();
            await reader.CopyToAsync(decoded);
            Assert.Equal(original, decoded.ToArray());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), entry.OriginalSha256);
            Assert.Equal(original.Length, entry.OriginalSize);
            Assert.Equal(encrypted ? "aes-256-gcm" : null, entry.Encryption);
            Assert.False(File.Exists(dir.Layout.RawSegmentPath(entry.Segment)), "raw copy removed after sealing");
            Assert.True(File.Exists(dir.Layout.IndexPath(entry.Segment)));
        }

        // the open segment stays raw
        Assert.Equal(MasterFiles.Bytes(flavor, names[^1]), File.ReadAllBytes(dir.Layout.RawSegmentPath(names[^1])));
    }

    [Fact]
    public async Task Encrypted_segment_without_a_key_or_with_a_wrong_key_gives_a_clear_error()
    {
        using var dir = new TempDirectory();
        using var key = new ArchiveKey(RandomNumberGenerator.GetBytes(32));
        using var wrong = new ArchiveKey(RandomNumberGenerator.GetBytes(32));
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb", key);
        var entry = (await Manifest.ReadAsync(dir.Layout, CancellationToken.None)).Entries[0];
        var path = dir.Layout.SealedPath(entry.StoredName!);
        var bytes = File.ReadAllBytes(path);

        var missing = Assert.Throws<ArchiveKeyException>(() => SegmentCodec.OpenReader(new MemoryStream(bytes), null, entry.Segment));
        Assert.Contains("no archive key is configured", missing.Message, StringComparison.Ordinal);
        var mismatch = Assert.Throws<ArchiveKeyException>(() => SegmentCodec.OpenReader(new MemoryStream(bytes), wrong, entry.Segment));
        Assert.Contains("wrong key", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains(key.KeyId, mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Encryption_chunks_cannot_be_dropped_reordered_or_truncated()
    {
        using var key = new ArchiveKey(RandomNumberGenerator.GetBytes(32));
        var plain = RandomNumberGenerator.GetBytes(10_000);
        using var target = new MemoryStream();
        using (var enc = new EncryptingStream(target, key, chunkSize: 1024, leaveOpen: true))
        {
            enc.Write(plain);
        }

        var cipher = target.ToArray();
        Assert.Equal(plain, await DecryptAsync(cipher, key));

        // chunk framing: header 35, then (4 + 1024 + 16) per full chunk
        const int chunk = 4 + 1024 + 16;
        var truncated = cipher[..(35 + 3 * chunk)];
        var swapped = (byte[])cipher.Clone();
        cipher.AsSpan(35, chunk).CopyTo(swapped.AsSpan(35 + chunk));
        cipher.AsSpan(35 + chunk, chunk).CopyTo(swapped.AsSpan(35));
        var flipped = (byte[])cipher.Clone();
        flipped[35 + 4 + 100] ^= 1;
        foreach (var damaged in new[] { truncated, swapped, flipped })
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => DecryptAsync(damaged, key));
        }
    }

    [Fact]
    public void Keys_load_from_base64_or_hex_and_reject_other_lengths()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        using var a = ArchiveKey.Parse(Convert.ToBase64String(raw) + "\n", "test");
        using var b = ArchiveKey.Parse(Convert.ToHexString(raw), "test");
        Assert.Equal(a.KeyId, b.KeyId);
        Assert.Throws<ArchiveKeyException>(() => ArchiveKey.Parse(Convert.ToBase64String(new byte[16]), "test"));
        Assert.Throws<ArchiveKeyException>(() => ArchiveKey.Parse("not a key!", "test"));
    }

    private static async Task<byte[]> DecryptAsync(byte[] cipher, ArchiveKey key)
    {
        await using var dec = new DecryptingStream(new MemoryStream(cipher), key, "test");
        using var output = new MemoryStream();
        await dec.CopyToAsync(output);
        return output.ToArray();
    }
}

namespace ReplicaKeeper.Archive.Storage;

/// <summary>Sizes and SHA-256 (hex) of a stored file's original bytes and of the stored (compressed, maybe encrypted) bytes.</summary>
public sealed record SealedFileHashes(string OriginalSha256, long OriginalSize, string StoredSha256, long StoredSize);

/// <summary>
/// Writes one stored file of the archive (a sealed segment, a snapshot): the original bytes go through SHA-256, zstd
/// (and AES-256-GCM with a key) and SHA-256 again into a temp file, which is fsynced, read back — it must reproduce
/// the original hash — and only then renamed to <c>storedPath</c>. On any failure the temp file is removed and nothing
/// is at <c>storedPath</c> that was not there before.
/// </summary>
public static class SealedFile
{
    /// <param name="storedPath">Final path of the stored file.</param>
    /// <param name="key">Encrypts when not null.</param>
    /// <param name="description">Names the file in errors ("sealed bin.000003", "snapshot 20261125T…").</param>
    /// <param name="writeOriginal">Writes the original bytes to the stream it is given.</param>
    public static async ValueTask<SealedFileHashes> WriteAsync(
        string storedPath, ArchiveKey? key, string description, Func<Stream, CancellationToken, ValueTask> writeOriginal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeOriginal);
        var tempPath = storedPath + ".tmp";
        try
        {
            SealedFileHashes hashes;
            await using (var file = new FileStream(tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var storedHash = new HashingStream(file, leaveOpen: true);
                await using (storedHash.ConfigureAwait(false))
                {
                    string originalSha;
                    long originalSize;
                    var codec = SegmentCodec.OpenWriter(storedHash, key);
                    await using (codec.ConfigureAwait(false))
                    {
                        var originalHash = new HashingStream(codec, leaveOpen: true);
                        await using (originalHash.ConfigureAwait(false))
                        {
                            await writeOriginal(originalHash, cancellationToken).ConfigureAwait(false);
                            originalSha = originalHash.HashHex();
                            originalSize = originalHash.Count;
                        }
                    }

                    hashes = new SealedFileHashes(originalSha, originalSize, storedHash.HashHex(), storedHash.Count);
                }

                file.Flush(flushToDisk: true);
            }

            await CheckReadBackAsync(tempPath, key, description, hashes.OriginalSha256, cancellationToken).ConfigureAwait(false);
            File.Move(tempPath, storedPath, overwrite: true);
            return hashes;
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }

    private static async ValueTask CheckReadBackAsync(string path, ArchiveKey? key, string description, string expectedSha, CancellationToken cancellationToken)
    {
        await using var stored = File.OpenRead(path);
        await using var reader = SegmentCodec.OpenReader(stored, key, description);
        await using var hash = new HashingStream(reader);
        await hash.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(hash.HashHex(), expectedSha, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"read-back of {description} does not reproduce the original (SHA-256 differs)");
        }
    }
}

using System.Buffers;
using ZstdSharp;

namespace ReplicaKeeper.Binlog.Compression;

/// <summary>
/// Decompresses MySQL TRANSACTION_PAYLOAD bodies (zstd) into pooled buffers. One instance per
/// decoder (a zstd context is reused); not thread-safe.
/// </summary>
public sealed class ZstdPayloadDecompressor : IDisposable
{
    private readonly Decompressor _decompressor = new();

    /// <summary>Upper bound for one transaction's uncompressed size (corrupt headers must not allocate gigabytes).</summary>
    public const int MaxUncompressedSize = int.MaxValue - 64;

    /// <summary>
    /// Decompresses <paramref name="compressed"/>; <paramref name="sizeHint"/> is the header's
    /// uncompressed_size (informational). Returns a rented buffer (return it to
    /// <see cref="ArrayPool{T}.Shared"/>) and the decompressed length. Throws
    /// <see cref="BinlogFormatException"/> on corrupt data.
    /// </summary>
    public byte[] Decompress(ReadOnlySpan<byte> compressed, ulong sizeHint, out int length)
    {
        ulong expected;
        try
        {
            expected = Decompressor.GetDecompressedSize(compressed);
        }
        catch (ZstdException)
        {
            expected = 0;
        }

        if (expected == 0)
        {
            expected = sizeHint;
        }

        if (expected == 0)
        {
            expected = (ulong)Math.Max(1024, compressed.Length * 4);
        }

        // A declared size far beyond what zstd can expand to is corruption.
        if (expected > MaxUncompressedSize || expected > (ulong)compressed.Length * 1100 + 1024)
        {
            throw new BinlogFormatException($"compressed payload claims {expected} uncompressed bytes from {compressed.Length}");
        }

        var capacity = (int)expected;
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(capacity);
            try
            {
                length = _decompressor.Unwrap(compressed, buffer);
                return buffer;
            }
            catch (ZstdException e) when (e.Code == ZstdSharp.Unsafe.ZSTD_ErrorCode.ZSTD_error_dstSize_tooSmall && capacity < MaxUncompressedSize / 2)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                capacity *= 2;
            }
            catch (Exception e) when (e is ZstdException or ArgumentException or InvalidOperationException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw new BinlogFormatException($"zstd payload does not decompress: {e.Message}", e);
            }
        }
    }

    /// <summary>Decompresses into a new array of exactly the decompressed length (for data that outlives the call).</summary>
    public byte[] DecompressToArray(ReadOnlySpan<byte> compressed, ulong sizeHint)
    {
        if (sizeHint > 0 && sizeHint <= (ulong)compressed.Length * 1100 + 1024 && sizeHint < MaxUncompressedSize)
        {
            // The header's uncompressed size is normally exact: decompress straight into the result.
            var exact = GC.AllocateUninitializedArray<byte>((int)sizeHint);
            try
            {
                if (_decompressor.Unwrap(compressed, exact) == exact.Length)
                {
                    return exact;
                }
            }
            catch (ZstdException)
            {
                // Too small or corrupt: the general path below tells which.
            }
        }

        var rented = Decompress(compressed, sizeHint, out var length);
        try
        {
            return rented.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Dispose() => _decompressor.Dispose();
}

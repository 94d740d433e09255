using System.Buffers;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Writes the snapshot stream: the magic <c>RKSNAP01</c>, then records of one type byte, a LEB128 length and the
/// payload (JSON for metadata, <see cref="SnapshotRows"/> for rows). The stream goes through the archive's segment
/// codec (zstd, AES-256-GCM with a key), so it is stored and checked like a sealed segment.
/// </summary>
internal sealed class SnapshotStreamWriter(Stream output) : ISnapshotRecordSink
{
    public static ReadOnlySpan<byte> Magic => "RKSNAP01"u8;

    public ValueTask WriteMagicAsync(CancellationToken cancellationToken) => output.WriteAsync(Magic.ToArray(), cancellationToken);

    public async ValueTask WriteAsync(SnapshotRecordType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = ArrayPool<byte>.Shared.Rent(11);
        try
        {
            header[0] = (byte)type;
            var length = 1 + SnapshotRows.WriteVarint(header.AsSpan(1), (ulong)payload.Length);
            await output.WriteAsync(header.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }

        await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
    }
}

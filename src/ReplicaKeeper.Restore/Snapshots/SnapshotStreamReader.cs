using System.Text.Json;
using ReplicaKeeper.Archive;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>Reads the records <see cref="SnapshotStreamWriter"/> wrote; any damage is a <see cref="SnapshotFormatException"/>.</summary>
internal sealed class SnapshotStreamReader(Stream input, string name)
{
    private const int MaxRecord = 1 << 30;
    private readonly byte[] _byte = new byte[1];
    private byte[] _buffer = new byte[1 << 16];

    public async ValueTask ReadMagicAsync(CancellationToken cancellationToken)
    {
        var magic = new byte[SnapshotStreamWriter.Magic.Length];
        var got = await input.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got != magic.Length || !magic.AsSpan().SequenceEqual(SnapshotStreamWriter.Magic))
        {
            throw new SnapshotFormatException($"snapshot {name} is not a ReplicaKeeper snapshot (no RKSNAP01 header)");
        }
    }

    /// <summary>The next record; its payload is valid until the next call. Null at the end of the stream.</summary>
    public async ValueTask<(SnapshotRecordType Type, ReadOnlyMemory<byte> Payload)?> ReadAsync(CancellationToken cancellationToken)
    {
        if (await input.ReadAtLeastAsync(_byte, 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == 0)
        {
            return null;
        }

        var type = (SnapshotRecordType)_byte[0];
        ulong length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 35 || await input.ReadAtLeastAsync(_byte, 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == 0)
            {
                throw new SnapshotFormatException($"snapshot {name} is truncated or damaged (record length)");
            }

            length |= (ulong)(_byte[0] & 0x7F) << shift;
            if ((_byte[0] & 0x80) == 0)
            {
                break;
            }
        }

        if (length > MaxRecord)
        {
            throw new SnapshotFormatException($"snapshot {name} is damaged (record of {length} bytes)");
        }

        if (_buffer.Length < (int)length)
        {
            _buffer = new byte[Math.Max((int)length, _buffer.Length * 2)];
        }

        var got = await input.ReadAtLeastAsync(_buffer.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got < (int)length)
        {
            throw new SnapshotFormatException($"snapshot {name} is truncated (a record ends after {got} of {length} bytes)");
        }

        return (type, _buffer.AsMemory(0, (int)length));
    }

    public T Json<T>(ReadOnlyMemory<byte> payload)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload.Span, ArchiveJson.Options) ?? throw new SnapshotFormatException($"snapshot {name} has an empty {typeof(T).Name} record");
        }
        catch (JsonException ex)
        {
            throw new SnapshotFormatException($"snapshot {name} has a damaged {typeof(T).Name} record: {ex.Message}", ex);
        }
    }

}

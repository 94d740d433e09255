using System.Buffers;
using System.Runtime.CompilerServices;

namespace ReplicaKeeper.Protocol.Packets;

/// <summary>
/// MySQL packet framing over a byte stream: a 3-byte little-endian payload length and a 1-byte
/// sequence id. Payloads of 0xFFFFFF bytes or more span several packets (a payload that is an exact
/// multiple of 0xFFFFFF ends with an empty packet); reads join them, writes split them.
/// </summary>
/// <remarks>
/// Reads go through one reusable read buffer: a packet that fits in it is returned as a slice of it
/// without copying, synchronously when its bytes are already buffered. Larger payloads are assembled
/// in a pooled buffer (read straight from the stream, not through the read buffer). Either way the
/// returned memory is valid only until the next read. After any read or write failure (including
/// cancellation) the stream is marked broken and refuses further use, since its position in the
/// protocol is no longer known. Not thread-safe: one reader and one writer, never concurrently.
/// </remarks>
internal sealed class PacketStream : IAsyncDisposable
{
    public const int HeaderLength = 4;
    public const int DefaultReadBufferSize = 128 * 1024;
    private const int WriteBufferSize = 16 * 1024;
    private const int RetainedLargeBufferBytes = 4 * 1024 * 1024;
    private const int MaxPayload = PacketHeader.MaxPacketPayloadLength;

    private readonly byte[] _writeBuffer;
    private Stream _stream;
    private byte[] _readBuffer;
    private int _readStart;
    private int _readEnd;
    private byte[]? _largeBuffer;
    private byte _sequenceId;
    private string? _brokenReason;

    public PacketStream(Stream stream, int readBufferSize = DefaultReadBufferSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(readBufferSize, 64);
        _stream = stream;
        _readBuffer = ArrayPool<byte>.Shared.Rent(readBufferSize);
        _writeBuffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
    }

    /// <summary>The sequence id the next packet read must carry, and the next packet written will carry.</summary>
    public byte SequenceId => _sequenceId;

    public Stream Stream => _stream;

    public bool IsBroken => _brokenReason is not null;

    /// <summary>Starts a new command: the next packet written has sequence id 0.</summary>
    public void ResetSequence() => _sequenceId = 0;

    /// <summary>Replaces the underlying stream (plain socket → TLS). No unread bytes may be buffered.</summary>
    public void SwitchStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_readEnd != _readStart)
        {
            throw new MySqlProtocolException("The server sent unexpected data before the TLS handshake.");
        }

        _stream = stream;
    }

    /// <summary>Marks the stream unusable (e.g. after a cancelled operation).</summary>
    public void MarkBroken(string reason) => _brokenReason ??= reason;

    /// <summary>
    /// Reads one logical payload (joined across 0xFFFFFF continuation packets), checking sequence ids.
    /// The memory is valid until the next call.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        if (_largeBuffer is not null)
        {
            ReleaseLargeBufferIfOversized();
        }

        int start = _readStart;
        int available = _readEnd - start;
        if (available >= HeaderLength)
        {
            byte[] buffer = _readBuffer;
            int length = buffer[start] | (buffer[start + 1] << 8) | (buffer[start + 2] << 16);
            if (length < MaxPayload && available - HeaderLength >= length && buffer[start + 3] == _sequenceId)
            {
                _sequenceId++;
                _readStart = start + HeaderLength + length;
                return new ValueTask<ReadOnlyMemory<byte>>(new ReadOnlyMemory<byte>(buffer, start + HeaderLength, length));
            }
        }

        return ReadPacketSlowAsync(cancellationToken);
    }

    /// <summary>Writes one logical payload with the current sequence id, splitting it at 0xFFFFFF bytes.</summary>
    public ValueTask WritePacketAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        int length = payload.Length;
        if (length < MaxPayload && length + HeaderLength <= _writeBuffer.Length)
        {
            WriteHeader(_writeBuffer, length, _sequenceId++);
            payload.Span.CopyTo(_writeBuffer.AsSpan(HeaderLength));
            return WriteBufferedAsync(length + HeaderLength, cancellationToken);
        }

        return WriteLargeAsync(payload, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        MarkBroken("the connection is closed");
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (_readBuffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = [];
            _readStart = _readEnd = 0;
        }

        ArrayPool<byte>.Shared.Return(_writeBuffer, clearArray: true);
        if (_largeBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_largeBuffer);
            _largeBuffer = null;
        }
    }

    private static void WriteHeader(Span<byte> destination, int length, byte sequenceId)
    {
        destination[0] = (byte)length;
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)(length >> 16);
        destination[3] = sequenceId;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> ReadPacketSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FillAsync(HeaderLength, -1, cancellationToken).ConfigureAwait(false);
            int length = PeekHeader(out byte sequenceId);
            if (length < MaxPayload && HeaderLength + length <= _readBuffer.Length)
            {
                await FillAsync(HeaderLength + length, length, cancellationToken).ConfigureAwait(false);
                var payload = new ReadOnlyMemory<byte>(_readBuffer, _readStart + HeaderLength, length);
                _readStart += HeaderLength + length;
                CheckSequence(sequenceId, payload.Span);
                return payload;
            }

            return await ReadLargePayloadAsync(length, sequenceId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadLargePayloadAsync(int length, byte sequenceId, CancellationToken cancellationToken)
    {
        int total = 0;
        while (true)
        {
            CheckSequence(sequenceId, ReadOnlySpan<byte>.Empty);
            _readStart += HeaderLength;
            if ((long)total + length > Array.MaxLength)
            {
                throw new MySqlProtocolException($"The server sent a payload larger than {Array.MaxLength} bytes.");
            }

            byte[] large = EnsureLargeBuffer(total, total + length);
            int buffered = Math.Min(_readEnd - _readStart, length);
            _readBuffer.AsSpan(_readStart, buffered).CopyTo(large.AsSpan(total));
            _readStart += buffered;

            int offset = total + buffered;
            int end = total + length;
            while (offset < end)
            {
                int read = await _stream.ReadAsync(large.AsMemory(offset, end - offset), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new MySqlConnectionClosedException(
                        $"The server closed the connection in the middle of a {length}-byte packet (received {offset - total} bytes of it).");
                }

                offset += read;
            }

            total = end;
            if (length < MaxPayload)
            {
                return large.AsMemory(0, total);
            }

            await FillAsync(HeaderLength, -1, cancellationToken).ConfigureAwait(false);
            length = PeekHeader(out sequenceId);
        }
    }

    private byte[] EnsureLargeBuffer(int used, int needed)
    {
        byte[]? current = _largeBuffer;
        if (current is not null && current.Length >= needed)
        {
            return current;
        }

        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, (long)(current?.Length ?? 0) * 2));
        byte[] larger = ArrayPool<byte>.Shared.Rent(size);
        if (current is not null)
        {
            current.AsSpan(0, used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(current);
        }

        _largeBuffer = larger;
        return larger;
    }

    private void ReleaseLargeBufferIfOversized()
    {
        if (_largeBuffer is { Length: > RetainedLargeBufferBytes })
        {
            ArrayPool<byte>.Shared.Return(_largeBuffer);
            _largeBuffer = null;
        }
    }

    private int PeekHeader(out byte sequenceId)
    {
        byte[] buffer = _readBuffer;
        int start = _readStart;
        sequenceId = buffer[start + 3];
        return buffer[start] | (buffer[start + 1] << 8) | (buffer[start + 2] << 16);
    }

    private void CheckSequence(byte received, ReadOnlySpan<byte> payload)
    {
        if (received == _sequenceId)
        {
            _sequenceId++;
            return;
        }

        // Some servers send a final ERR (e.g. shutdown, idle timeout) with sequence id 0: surface the error.
        if (PacketHeader.IsError(payload))
        {
            throw MySqlServerException.FromErrorPacket(payload, "The server sent an error out of sequence and the connection is no longer usable");
        }

        throw new MySqlProtocolException(
            $"Packet out of order: expected sequence id {_sequenceId}, received {received}. The connection is out of sync with the server.");
    }

    /// <summary>Ensures at least <paramref name="needed"/> bytes are buffered from <see cref="_readStart"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(int needed, int payloadLength, CancellationToken cancellationToken)
    {
        if (_readStart == _readEnd)
        {
            _readStart = _readEnd = 0;
        }

        while (_readEnd - _readStart < needed)
        {
            if (_readBuffer.Length - _readStart < needed)
            {
                int available = _readEnd - _readStart;
                Buffer.BlockCopy(_readBuffer, _readStart, _readBuffer, 0, available);
                _readStart = 0;
                _readEnd = available;
            }

            int read = await _stream.ReadAsync(_readBuffer.AsMemory(_readEnd), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw ClosedWhileReading(payloadLength);
            }

            _readEnd += read;
        }
    }

    private MySqlConnectionClosedException ClosedWhileReading(int payloadLength)
    {
        int available = _readEnd - _readStart;
        string where = payloadLength < 0
            ? available == 0
                ? "while waiting for the next packet"
                : $"in the middle of a packet header (received {available} of {HeaderLength} bytes)"
            : $"in the middle of a {payloadLength}-byte packet (received {available - HeaderLength} bytes of it)";
        return new MySqlConnectionClosedException($"The server closed the connection {where}.");
    }

    private async ValueTask WriteBufferedAsync(int count, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(_writeBuffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }
        finally
        {
            // Payloads may carry password scrambles or (over TLS) a cleartext password.
            _writeBuffer.AsSpan(0, count).Clear();
        }
    }

    private async ValueTask WriteLargeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        try
        {
            int offset = 0;
            int chunk;
            do
            {
                chunk = Math.Min(payload.Length - offset, MaxPayload);
                WriteHeader(_writeBuffer, chunk, _sequenceId++);
                await _stream.WriteAsync(_writeBuffer.AsMemory(0, HeaderLength), cancellationToken).ConfigureAwait(false);
                if (chunk > 0)
                {
                    await _stream.WriteAsync(payload.Slice(offset, chunk), cancellationToken).ConfigureAwait(false);
                }

                offset += chunk;
            }
            while (chunk == MaxPayload);

            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }
    }

    private bool RecordFailure(Exception exception)
    {
        MarkBroken(exception is OperationCanceledException ? "an operation was cancelled" : exception.Message);
        return false;
    }

    private void ThrowIfBroken()
    {
        if (_brokenReason is not null)
        {
            throw new InvalidOperationException(
                $"The connection can no longer be used after an earlier failure ({_brokenReason}); open a new connection.");
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ReplicaKeeper.Protocol.Packets;

/// <summary>
/// Builds one payload in a growable buffer rented from <see cref="ArrayPool{T}"/>. Dispose to
/// return the buffer; <see cref="Clear"/> to reuse it. <see cref="Clear"/> and <see cref="Dispose"/>
/// zero the used bytes, since payloads may hold password scrambles.
/// </summary>
public sealed class PayloadWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public PayloadWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public PayloadWriter WriteByte(byte value)
    {
        GetSpan(1)[0] = value;
        _length++;
        return this;
    }

    public PayloadWriter WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        _length += 2;
        return this;
    }

    public PayloadWriter WriteUInt24(uint value)
    {
        Span<byte> span = GetSpan(3);
        span[0] = (byte)value;
        span[1] = (byte)(value >> 8);
        span[2] = (byte)(value >> 16);
        _length += 3;
        return this;
    }

    public PayloadWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        _length += 4;
        return this;
    }

    public PayloadWriter WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);
        _length += 8;
        return this;
    }

    public PayloadWriter WriteLengthEncodedInteger(ulong value)
    {
        switch (value)
        {
            case < 0xFB:
                return WriteByte((byte)value);
            case <= 0xFFFF:
                WriteByte(0xFC);
                return WriteUInt16((ushort)value);
            case <= 0xFFFFFF:
                WriteByte(0xFD);
                return WriteUInt24((uint)value);
            default:
                WriteByte(0xFE);
                return WriteUInt64(value);
        }
    }

    public PayloadWriter WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(GetSpan(value.Length));
        _length += value.Length;
        return this;
    }

    public PayloadWriter WriteZeros(int count)
    {
        GetSpan(count)[..count].Clear();
        _length += count;
        return this;
    }

    public PayloadWriter WriteLengthEncodedBytes(ReadOnlySpan<byte> value)
    {
        WriteLengthEncodedInteger((ulong)value.Length);
        return WriteBytes(value);
    }

    public PayloadWriter WriteLengthEncodedString(string value)
    {
        WriteLengthEncodedInteger((ulong)Encoding.UTF8.GetByteCount(value));
        return WriteString(value);
    }

    /// <summary>UTF-8 bytes of <paramref name="value"/> without terminator or length.</summary>
    public PayloadWriter WriteString(string value)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        Encoding.UTF8.GetBytes(value, GetSpan(count));
        _length += count;
        return this;
    }

    public PayloadWriter WriteNullTerminatedString(string value) => WriteString(value).WriteByte(0);

    public void Clear()
    {
        _buffer.AsSpan(0, _length).Clear();
        _length = 0;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        _buffer.AsSpan(0, _length).Clear();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    private Span<byte> GetSpan(int count)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_buffer.Length - _length < count)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            _buffer.AsSpan(0, _length).Clear();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }
}

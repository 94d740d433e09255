using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace ReplicaKeeper.Binlog.Reading;

/// <summary>
/// A forward reader over one event's bytes (or part of it). Every read is bounds-checked and a
/// short read throws <see cref="BinlogFormatException"/> naming the byte offset; no other exception
/// type escapes. <see cref="Offset"/> counts from the start of the span the reader was made over,
/// plus <c>baseOffset</c>, so that offsets in errors are offsets inside the event.
/// </summary>
public ref struct BinlogReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly int _baseOffset;
    private int _position;

    public BinlogReader(ReadOnlySpan<byte> buffer, int baseOffset = 0)
    {
        _buffer = buffer;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Offset of the next byte, relative to the event start (span start + base offset).</summary>
    public readonly int Offset => _baseOffset + _position;

    /// <summary>Position inside this reader's span.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position >= _buffer.Length;

    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    /// <summary>The whole span this reader was made over.</summary>
    public readonly ReadOnlySpan<byte> Buffer => _buffer;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void Need(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ThrowShort(count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowShort(int count) =>
        throw new BinlogFormatException(
            $"unexpected end of data: need {count} byte(s), {_buffer.Length - _position} left",
            file: null, eventPosition: -1, eventType: null, byteOffset: Offset);

    /// <summary>Throws a format error at the current offset.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly BinlogFormatException Error(string reason) =>
        new(reason, file: null, eventPosition: -1, eventType: null, byteOffset: Offset);

    public void Skip(int count)
    {
        Need(count);
        _position += count;
    }

    public void Seek(int position)
    {
        if ((uint)position > (uint)_buffer.Length)
        {
            throw Error($"seek to {position} outside {_buffer.Length} bytes");
        }

        _position = position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte()
    {
        Need(1);
        return _buffer[_position++];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ReadUInt16LE()
    {
        Need(2);
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_position..]);
        _position += 2;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt24LE()
    {
        Need(3);
        var s = _buffer.Slice(_position, 3);
        _position += 3;
        return (uint)(s[0] | (s[1] << 8) | (s[2] << 16));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt32LE()
    {
        Need(4);
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[_position..]);
        _position += 4;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt48LE()
    {
        Need(6);
        var s = _buffer.Slice(_position, 6);
        _position += 6;
        return BinaryPrimitives.ReadUInt32LittleEndian(s) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(s[4..]) << 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64LE()
    {
        Need(8);
        var v = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return v;
    }

    /// <summary>Little-endian unsigned integer of 1..8 bytes.</summary>
    public ulong ReadUIntLE(int bytes)
    {
        if ((uint)(bytes - 1) > 7)
        {
            throw Error($"integer width {bytes} out of range");
        }

        Need(bytes);
        ulong v = 0;
        for (var i = bytes - 1; i >= 0; i--)
        {
            v = (v << 8) | _buffer[_position + i];
        }

        _position += bytes;
        return v;
    }

    /// <summary>Big-endian unsigned integer of 1..8 bytes (DECIMAL, DATETIME2, TIME2, BIT use these).</summary>
    public ulong ReadUIntBE(int bytes)
    {
        if ((uint)(bytes - 1) > 7)
        {
            throw Error($"integer width {bytes} out of range");
        }

        Need(bytes);
        ulong v = 0;
        for (var i = 0; i < bytes; i++)
        {
            v = (v << 8) | _buffer[_position + i];
        }

        _position += bytes;
        return v;
    }

    /// <summary>
    /// Length-encoded integer (packed integer): &lt;0xFB one byte, 0xFC + 2, 0xFD + 3, 0xFE + 8.
    /// 0xFB (NULL) and 0xFF are format errors here.
    /// </summary>
    public ulong ReadLengthEncodedInteger()
    {
        var first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFC => ReadUInt16LE(),
            0xFD => ReadUInt24LE(),
            0xFE => ReadUInt64LE(),
            _ => throw Error($"invalid length-encoded integer prefix 0x{first:X2}"),
        };
    }

    /// <summary>A length-encoded integer that must fit in an int and in the remaining bytes.</summary>
    public int ReadLengthEncodedLength()
    {
        var v = ReadLengthEncodedInteger();
        if (v > (ulong)Remaining)
        {
            throw Error($"length {v} exceeds the {Remaining} remaining byte(s)");
        }

        return (int)v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            throw Error($"negative length {count}");
        }

        Need(count);
        var s = _buffer.Slice(_position, count);
        _position += count;
        return s;
    }

    public ReadOnlySpan<byte> ReadLengthEncodedBytes() => ReadBytes(ReadLengthEncodedLength());

    public ReadOnlySpan<byte> ReadToEnd()
    {
        var s = _buffer[_position..];
        _position = _buffer.Length;
        return s;
    }

    /// <summary>Bytes up to (not including) a 0 terminator, which is consumed.</summary>
    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        var rest = _buffer[_position..];
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw Error("missing NUL terminator");
        }

        _position += end + 1;
        return rest[..end];
    }

    public string ReadString(int count, Encoding? encoding = null) => (encoding ?? Encoding.UTF8).GetString(ReadBytes(count));

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());

    public string ReadLengthEncodedString() => Encoding.UTF8.GetString(ReadLengthEncodedBytes());
}

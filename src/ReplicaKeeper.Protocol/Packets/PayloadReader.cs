using System.Buffers.Binary;
using System.Text;

namespace ReplicaKeeper.Protocol.Packets;

/// <summary>
/// Reads protocol values from one payload. Every failure is a <see cref="MySqlProtocolException"/>
/// naming the packet kind and the byte offset.
/// </summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private readonly string _packetName;
    private int _offset;

    public PayloadReader(ReadOnlySpan<byte> payload, string packetName)
    {
        _payload = payload;
        _packetName = packetName;
        _offset = 0;
    }

    public readonly int Offset => _offset;

    public readonly int Remaining => _payload.Length - _offset;

    public readonly bool HasRemaining => _offset < _payload.Length;

    public readonly byte PeekByte()
    {
        Need(1);
        return _payload[_offset];
    }

    public byte ReadByte()
    {
        Need(1);
        return _payload[_offset++];
    }

    public ushort ReadUInt16()
    {
        Need(2);
        ushort value = BinaryPrimitives.ReadUInt16LittleEndian(_payload[_offset..]);
        _offset += 2;
        return value;
    }

    public uint ReadUInt24()
    {
        Need(3);
        uint value = (uint)(_payload[_offset] | (_payload[_offset + 1] << 8) | (_payload[_offset + 2] << 16));
        _offset += 3;
        return value;
    }

    public uint ReadUInt32()
    {
        Need(4);
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(_payload[_offset..]);
        _offset += 4;
        return value;
    }

    public ulong ReadUInt64()
    {
        Need(8);
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_payload[_offset..]);
        _offset += 8;
        return value;
    }

    /// <summary>Length-encoded integer (1, 3, 4 or 9 bytes). 0xFB (NULL) and 0xFF are errors here.</summary>
    public ulong ReadLengthEncodedInteger()
    {
        ulong? value = ReadLengthEncodedIntegerOrNull();
        return value ?? throw Error("unexpected NULL marker (0xFB) where a length-encoded integer was expected");
    }

    /// <summary>Length-encoded integer; null for the NULL marker 0xFB used in text rows.</summary>
    public ulong? ReadLengthEncodedIntegerOrNull()
    {
        byte first = ReadByte();
        return first switch
        {
            < 0xFB => first,
            0xFB => null,
            0xFC => ReadUInt16(),
            0xFD => ReadUInt24(),
            0xFE => ReadUInt64(),
            _ => throw Error("invalid length-encoded integer prefix 0xFF", _offset - 1),
        };
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0)
        {
            throw Error($"negative length {count}");
        }

        Need(count);
        ReadOnlySpan<byte> value = _payload.Slice(_offset, count);
        _offset += count;
        return value;
    }

    /// <summary>Length-encoded byte string.</summary>
    public ReadOnlySpan<byte> ReadLengthEncodedBytes()
    {
        int start = _offset;
        ulong length = ReadLengthEncodedInteger();
        if (length > (ulong)Remaining)
        {
            throw Error($"length-encoded string of {length} bytes exceeds the {Remaining} bytes left", start);
        }

        return ReadBytes((int)length);
    }

    public string ReadLengthEncodedString() => Encoding.UTF8.GetString(ReadLengthEncodedBytes());

    /// <summary>Bytes up to a NUL terminator (consumed, not returned).</summary>
    public ReadOnlySpan<byte> ReadNullTerminatedBytes()
    {
        int end = _payload[_offset..].IndexOf((byte)0);
        if (end < 0)
        {
            throw Error("missing NUL terminator");
        }

        ReadOnlySpan<byte> value = _payload.Slice(_offset, end);
        _offset += end + 1;
        return value;
    }

    public string ReadNullTerminatedString() => Encoding.UTF8.GetString(ReadNullTerminatedBytes());

    /// <summary>Bytes up to a NUL terminator, or to the end of the payload if there is none.</summary>
    public ReadOnlySpan<byte> ReadNullTerminatedOrRestBytes()
    {
        int end = _payload[_offset..].IndexOf((byte)0);
        if (end < 0)
        {
            return ReadRest();
        }

        ReadOnlySpan<byte> value = _payload.Slice(_offset, end);
        _offset += end + 1;
        return value;
    }

    public ReadOnlySpan<byte> ReadRest()
    {
        ReadOnlySpan<byte> rest = _payload[_offset..];
        _offset = _payload.Length;
        return rest;
    }

    public void Skip(int count) => ReadBytes(count);

    public readonly MySqlProtocolException Error(string reason) => Error(reason, _offset);

    private readonly MySqlProtocolException Error(string reason, int offset) =>
        new($"Malformed {_packetName} packet from the server at byte {offset} of {_payload.Length}: {reason}.");

    private readonly void Need(int count)
    {
        if (_payload.Length - _offset < count)
        {
            throw Error($"needed {count} more byte(s), {_payload.Length - _offset} left");
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Binlog.Json;

/// <summary>
/// MySQL's binary JSON (json_binary.cc): a type byte, then the value. Objects and arrays come in a
/// small (16-bit offsets) and a large (32-bit) form: element count, byte size, key entries
/// (offset + 16-bit length), value entries (type + offset, or the value itself for literals and
/// small integers), then keys and values. Offsets count from the container's first byte.
/// Scalars: int16/uint16/int32/uint32/int64/uint64/double little-endian, strings with a 7-bit
/// variable-length prefix, literals null/true/false, and opaque values (MySQL type + bytes).
/// Output is the text MySQL prints for the value (SELECT of a JSON column).
/// </summary>
public static class JsonBinary
{
    internal const byte SmallObject = 0x00;
    internal const byte LargeObject = 0x01;
    internal const byte SmallArray = 0x02;
    internal const byte LargeArray = 0x03;
    internal const byte Literal = 0x04;
    internal const byte Int16 = 0x05;
    internal const byte UInt16 = 0x06;
    internal const byte Int32 = 0x07;
    internal const byte UInt32 = 0x08;
    internal const byte Int64 = 0x09;
    internal const byte UInt64 = 0x0A;
    internal const byte Double = 0x0B;
    internal const byte String = 0x0C;
    internal const byte Opaque = 0x0F;

    private const int MaxDepth = 150;

    /// <summary>The document as MySQL's JSON text (an empty value is JSON null).</summary>
    public static string ToJsonText(ReadOnlySpan<byte> document)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, document.Length * 2));
        WriteJsonText(document, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the document's JSON text as UTF-8.</summary>
    public static void WriteJsonText(ReadOnlySpan<byte> document, IBufferWriter<byte> output)
    {
        if (document.IsEmpty)
        {
            MySqlJsonFormat.WriteAscii("null"u8, output);
            return;
        }

        WriteValue(document[0], document[1..], 0, output);
    }

    /// <summary>Parses the document into a mutable tree (to apply PARTIAL_UPDATE_ROWS diffs).</summary>
    internal static JsonTreeNode ToTree(ReadOnlySpan<byte> document)
    {
        if (document.IsEmpty)
        {
            return new JsonTreeScalar("null"u8.ToArray(), new JsonScalar(Literal, (byte)0));
        }

        return ToTree(document[0], document[1..], 0);
    }

    private static JsonTreeNode ToTree(byte type, ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("JSON nesting too deep");
        }

        switch (type)
        {
            case SmallObject or LargeObject:
            {
                var large = type == LargeObject;
                var (count, size) = ContainerHeader(data, large);
                var container = data[..size];
                var node = new JsonTreeObject();
                for (var i = 0; i < count; i++)
                {
                    var key = Key(container, large, i);
                    var valueType = Entry(container, large, count, i, isObject: true, out var valueData);
                    node.Members.Add(new(Encoding.UTF8.GetString(key), ToTree(valueType, valueData, depth + 1)));
                }

                return node;
            }

            case SmallArray or LargeArray:
            {
                var large = type == LargeArray;
                var (count, size) = ContainerHeader(data, large);
                var container = data[..size];
                var node = new JsonTreeArray();
                for (var i = 0; i < count; i++)
                {
                    var valueType = Entry(container, large, count, i, isObject: false, out var valueData);
                    node.Items.Add(ToTree(valueType, valueData, depth + 1));
                }

                return node;
            }

            default:
            {
                var buffer = new ArrayBufferWriter<byte>(16);
                WriteScalar(type, data, buffer);
                return new JsonTreeScalar(buffer.WrittenSpan.ToArray(), ReadScalar(type, data));
            }
        }
    }

    /// <summary>The scalar's typed value: literal byte, long, ulong, double, UTF-8 bytes, or the opaque type and bytes.</summary>
    private static JsonScalar ReadScalar(byte type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case Literal:
                Need(data, 1);
                return new JsonScalar(type, data[0]);
            case Int16:
                Need(data, 2);
                return new JsonScalar(type, (long)BinaryPrimitives.ReadInt16LittleEndian(data));
            case UInt16:
                Need(data, 2);
                return new JsonScalar(type, (ulong)BinaryPrimitives.ReadUInt16LittleEndian(data));
            case Int32:
                Need(data, 4);
                return new JsonScalar(type, (long)BinaryPrimitives.ReadInt32LittleEndian(data));
            case UInt32:
                Need(data, 4);
                return new JsonScalar(type, (ulong)BinaryPrimitives.ReadUInt32LittleEndian(data));
            case Int64:
                Need(data, 8);
                return new JsonScalar(type, BinaryPrimitives.ReadInt64LittleEndian(data));
            case UInt64:
                Need(data, 8);
                return new JsonScalar(type, BinaryPrimitives.ReadUInt64LittleEndian(data));
            case Double:
                Need(data, 8);
                return new JsonScalar(type, BinaryPrimitives.ReadDoubleLittleEndian(data));
            case String:
            {
                var length = ReadVariableLength(data, out var used);
                return new JsonScalar(type, data.Slice(used, length).ToArray());
            }

            case Opaque:
            {
                Need(data, 1);
                var fieldType = (ColumnType)data[0];
                var length = ReadVariableLength(data[1..], out var used);
                return new JsonScalar(type, data.Slice(1 + used, length).ToArray(), fieldType);
            }

            default:
                throw Error($"unknown JSON value type 0x{type:X2}");
        }
    }

    /// <summary>An opaque value's text as MySQL prints it, without quotes (DECIMAL digits, temporal values).</summary>
    internal static string OpaqueText(ColumnType fieldType, ReadOnlySpan<byte> value)
    {
        var buffer = new ArrayBufferWriter<byte>(40);
        WriteOpaque(fieldType, value, buffer);
        var text = buffer.WrittenSpan;
        if (text.Length >= 2 && text[0] == (byte)'"')
        {
            text = text[1..^1];
        }

        return Encoding.UTF8.GetString(text);
    }

    private static void WriteValue(byte type, ReadOnlySpan<byte> data, int depth, IBufferWriter<byte> output)
    {
        if (depth > MaxDepth)
        {
            throw Error("JSON nesting too deep");
        }

        switch (type)
        {
            case SmallObject or LargeObject:
            {
                var large = type == LargeObject;
                var (count, size) = ContainerHeader(data, large);
                var container = data[..size];
                MySqlJsonFormat.WriteAscii("{"u8, output);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        MySqlJsonFormat.WriteAscii(", "u8, output);
                    }

                    MySqlJsonFormat.WriteString(Key(container, large, i), output);
                    MySqlJsonFormat.WriteAscii(": "u8, output);
                    var valueType = Entry(container, large, count, i, isObject: true, out var valueData);
                    WriteValue(valueType, valueData, depth + 1, output);
                }

                MySqlJsonFormat.WriteAscii("}"u8, output);
                return;
            }

            case SmallArray or LargeArray:
            {
                var large = type == LargeArray;
                var (count, size) = ContainerHeader(data, large);
                var container = data[..size];
                MySqlJsonFormat.WriteAscii("["u8, output);
                for (var i = 0; i < count; i++)
                {
                    if (i > 0)
                    {
                        MySqlJsonFormat.WriteAscii(", "u8, output);
                    }

                    var valueType = Entry(container, large, count, i, isObject: false, out var valueData);
                    WriteValue(valueType, valueData, depth + 1, output);
                }

                MySqlJsonFormat.WriteAscii("]"u8, output);
                return;
            }

            default:
                WriteScalar(type, data, output);
                return;
        }
    }

    private static (int Count, int Size) ContainerHeader(ReadOnlySpan<byte> data, bool large)
    {
        var w = large ? 4 : 2;
        Need(data, 2 * w);
        var count = (int)ReadOffset(data, 0, large);
        var size = (int)ReadOffset(data, w, large);
        if (size > data.Length || size < 2 * w || count < 0)
        {
            throw Error($"JSON container of {size} byte(s) in {data.Length}");
        }

        return (count, size);
    }

    private static uint ReadOffset(ReadOnlySpan<byte> data, int pos, bool large)
    {
        Need(data, pos + (large ? 4 : 2));
        return large ? BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]);
    }

    private static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> container, bool large, int index)
    {
        var w = large ? 4 : 2;
        var entry = (2 * w) + (index * (w + 2));
        var offset = (int)ReadOffset(container, entry, large);
        Need(container, entry + w + 2);
        var length = BinaryPrimitives.ReadUInt16LittleEndian(container[(entry + w)..]);
        if ((uint)offset > (uint)container.Length || length > container.Length - offset)
        {
            throw Error("JSON key outside its object");
        }

        return container.Slice(offset, length);
    }

    private static byte Entry(ReadOnlySpan<byte> container, bool large, int count, int index, bool isObject, out ReadOnlySpan<byte> data)
    {
        var w = large ? 4 : 2;
        var entry = (2 * w) + (isObject ? count * (w + 2) : 0) + (index * (w + 1));
        Need(container, entry + 1 + w);
        var type = container[entry];
        var inline = type is Literal or Int16 or UInt16 || (large && type is Int32 or UInt32);
        if (inline)
        {
            data = container.Slice(entry + 1, w);
            return type;
        }

        var offset = (int)ReadOffset(container, entry + 1, large);
        if ((uint)offset >= (uint)container.Length)
        {
            throw Error("JSON value outside its container");
        }

        data = container[offset..];
        return type;
    }

    private static void WriteScalar(byte type, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        switch (type)
        {
            case Literal:
                Need(data, 1);
                MySqlJsonFormat.WriteAscii(data[0] switch
                {
                    0 => "null"u8,
                    1 => "true"u8,
                    2 => "false"u8,
                    _ => throw Error($"unknown JSON literal {data[0]}"),
                }, output);
                return;
            case Int16:
                Need(data, 2);
                MySqlJsonFormat.WriteInt64(BinaryPrimitives.ReadInt16LittleEndian(data), output);
                return;
            case UInt16:
                Need(data, 2);
                MySqlJsonFormat.WriteUInt64(BinaryPrimitives.ReadUInt16LittleEndian(data), output);
                return;
            case Int32:
                Need(data, 4);
                MySqlJsonFormat.WriteInt64(BinaryPrimitives.ReadInt32LittleEndian(data), output);
                return;
            case UInt32:
                Need(data, 4);
                MySqlJsonFormat.WriteUInt64(BinaryPrimitives.ReadUInt32LittleEndian(data), output);
                return;
            case Int64:
                Need(data, 8);
                MySqlJsonFormat.WriteInt64(BinaryPrimitives.ReadInt64LittleEndian(data), output);
                return;
            case UInt64:
                Need(data, 8);
                MySqlJsonFormat.WriteUInt64(BinaryPrimitives.ReadUInt64LittleEndian(data), output);
                return;
            case Double:
                Need(data, 8);
                MySqlJsonFormat.WriteDouble(BinaryPrimitives.ReadDoubleLittleEndian(data), output);
                return;
            case String:
            {
                var length = ReadVariableLength(data, out var used);
                MySqlJsonFormat.WriteString(data.Slice(used, length), output);
                return;
            }

            case Opaque:
            {
                Need(data, 1);
                var fieldType = (ColumnType)data[0];
                var length = ReadVariableLength(data[1..], out var used);
                WriteOpaque(fieldType, data.Slice(1 + used, length), output);
                return;
            }

            default:
                throw Error($"unknown JSON value type 0x{type:X2}");
        }
    }

    private static void WriteOpaque(ColumnType fieldType, ReadOnlySpan<byte> value, IBufferWriter<byte> output)
    {
        Span<byte> text = stackalloc byte[TemporalFormat.MaxLength];
        switch (fieldType)
        {
            case ColumnType.NewDecimal when value.Length >= 2:
            {
                int precision = value[0], scale = value[1];
                Span<byte> digits = stackalloc byte[DecimalCodec.MaxTextLength(Math.Max(precision, 1)) + 9];
                var n = DecimalCodec.Format(value[2..], precision, scale, digits);
                MySqlJsonFormat.WriteAscii(digits[..n], output);
                return;
            }

            case ColumnType.DateTime or ColumnType.Timestamp or ColumnType.DateTime2 or ColumnType.Timestamp2 or ColumnType.Date
                or ColumnType.NewDate when value.Length >= 8:
            {
                var packed = BinaryPrimitives.ReadInt64LittleEndian(value);
                if (packed < 0)
                {
                    packed = -packed;
                }

                var ymdhms = packed >> 24;
                var ymd = ymdhms >> 17;
                var ym = ymd >> 5;
                var hms = ymdhms & 0x1FFFF;
                int n;
                if (fieldType is ColumnType.Date or ColumnType.NewDate)
                {
                    n = TemporalFormat.WriteDate((int)(ym / 13), (int)(ym % 13), (int)(ymd & 0x1F), text);
                }
                else
                {
                    n = TemporalFormat.WriteDateTime((int)(ym / 13), (int)(ym % 13), (int)(ymd & 0x1F), (int)(hms >> 12),
                        (int)((hms >> 6) & 0x3F), (int)(hms & 0x3F), (int)(packed & 0xFFFFFF), 6, text);
                }

                WriteQuotedAscii(text[..n], output);
                return;
            }

            case ColumnType.Time or ColumnType.Time2 when value.Length >= 8:
            {
                var packed = BinaryPrimitives.ReadInt64LittleEndian(value);
                var negative = packed < 0;
                if (negative)
                {
                    packed = -packed;
                }

                var hms = packed >> 24;
                var micros = (((((hms >> 12) & 0x3FF) * 3600) + (((hms >> 6) & 0x3F) * 60) + (hms & 0x3F)) * 1_000_000L) + (packed & 0xFFFFFF);
                var n = TemporalFormat.WriteTime(negative ? -micros : micros, 6, text);
                WriteQuotedAscii(text[..n], output);
                return;
            }

            case ColumnType.VarString:
                MySqlJsonFormat.WriteString(value, output);
                return;
            default:
            {
                // base64:typeNN:<base64 with MySQL's line breaks every 76 characters>
                var prefix = Encoding.ASCII.GetBytes($"base64:type{(int)fieldType}:");
                var encoded = Convert.ToBase64String(value);
                var sb = new StringBuilder(encoded.Length + (encoded.Length / 76) + prefix.Length);
                for (var i = 0; i < encoded.Length; i += 76)
                {
                    if (i > 0)
                    {
                        sb.Append('\n');
                    }

                    sb.Append(encoded, i, Math.Min(76, encoded.Length - i));
                }

                var bytes = new byte[prefix.Length + sb.Length];
                prefix.CopyTo(bytes, 0);
                Encoding.ASCII.GetBytes(sb.ToString(), bytes.AsSpan(prefix.Length));
                MySqlJsonFormat.WriteString(bytes, output);
                return;
            }
        }
    }

    private static void WriteQuotedAscii(ReadOnlySpan<byte> text, IBufferWriter<byte> output)
    {
        MySqlJsonFormat.WriteAscii("\""u8, output);
        MySqlJsonFormat.WriteAscii(text, output);
        MySqlJsonFormat.WriteAscii("\""u8, output);
    }

    /// <summary>Variable-length integer: 7 bits per byte, low bits first, high bit = more follows (max 5 bytes).</summary>
    private static int ReadVariableLength(ReadOnlySpan<byte> data, out int used)
    {
        uint length = 0;
        for (var i = 0; i < 5; i++)
        {
            Need(data, i + 1);
            var b = data[i];
            length |= (uint)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                used = i + 1;
                if (length > (uint)(data.Length - used))
                {
                    throw Error($"JSON string of {length} byte(s) in {data.Length - used}");
                }

                return (int)length;
            }
        }

        throw Error("JSON length prefix longer than 5 bytes");
    }

    private static void Need(ReadOnlySpan<byte> data, int count)
    {
        if (count > data.Length)
        {
            throw Error($"JSON value truncated: need {count} byte(s), {data.Length} left");
        }
    }

    private static BinlogFormatException Error(string reason) => new(reason, null, -1, null, -1);
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// Decodes one row image of a rows event into <see cref="ColumnValue"/> cells: a null bitmap with
/// one bit per column present in the image, then the values of the present, non-NULL columns in
/// column order. Offsets in the cells are offsets into the span being decoded. Every short read
/// throws <see cref="BinlogFormatException"/>; nothing else escapes.
/// </summary>
internal static class RowDecoder
{
    /// <summary>PARTIAL_UPDATE_ROWS value_options bit: JSON columns may carry diffs.</summary>
    internal const ulong PartialJsonUpdates = 1;

    /// <summary>
    /// Decodes the image starting at <paramref name="pos"/>. For the after image of a
    /// PARTIAL_UPDATE_ROWS event pass <paramref name="partialAfterImage"/> and the before image's
    /// cells, which supply the base of JSON diffs.
    /// </summary>
    public static void ReadImage(
        ReadOnlySpan<byte> data, ref int pos, ColumnDefinition[] columns, int width, ReadOnlySpan<byte> present, int presentCount,
        Span<ColumnValue> cells, int baseOffset, bool partialAfterImage, int jsonColumnCount, ReadOnlySpan<ColumnValue> before)
    {
        ReadOnlySpan<byte> partialBits = default;
        if (partialAfterImage)
        {
            var options = ReadPacked(data, ref pos, baseOffset);
            if ((options & PartialJsonUpdates) != 0)
            {
                var partialLength = (jsonColumnCount + 7) >> 3;
                Need(data, pos, partialLength, baseOffset);
                partialBits = data.Slice(pos, partialLength);
                pos += partialLength;
            }
        }

        var nullLength = (presentCount + 7) >> 3;
        Need(data, pos, nullLength, baseOffset);
        var nulls = data.Slice(pos, nullLength);
        pos += nullLength;
        var bit = 0;
        var jsonIndex = 0;
        // Columns beyond the event's width (bitmap padding bits) are never present.
        var count = Math.Min(Math.Min(columns.Length, cells.Length), width);
        cells[count..].Clear();
        for (var i = 0; i < count; i++)
        {
            var column = columns[i];
            var isPartial = false;
            if (!partialBits.IsEmpty && column.Type == ColumnType.Json)
            {
                isPartial = (partialBits[jsonIndex >> 3] & (1 << (jsonIndex & 7))) != 0;
                jsonIndex++;
            }

            if ((uint)(i >> 3) >= (uint)present.Length || (present[i >> 3] & (1 << (i & 7))) == 0)
            {
                cells[i] = default;
                continue;
            }

            var isNull = (nulls[bit >> 3] & (1 << (bit & 7))) != 0;
            bit++;
            if (isNull)
            {
                cells[i] = ColumnValue.NullValue;
                continue;
            }

            if (isPartial)
            {
                var length = (int)ReadLength(data, ref pos, column.Size, baseOffset);
                long baseRef = -1;
                if (i < before.Length && before[i].Kind == ValueKind.Json)
                {
                    baseRef = ((long)before[i].Offset << 32) | (uint)before[i].Length;
                }

                cells[i] = ColumnValue.FromSlice(ValueKind.JsonDiff, pos, length, baseRef);
                pos += length;
                continue;
            }

            cells[i] = ReadValue(data, ref pos, column, baseOffset);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Need(ReadOnlySpan<byte> data, int pos, int count, int baseOffset)
    {
        if ((uint)count > (uint)(data.Length - pos))
        {
            ThrowShort(data.Length - pos, count, pos + baseOffset);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShort(int left, int count, int offset) =>
        throw new BinlogFormatException($"row value truncated: need {count} byte(s), {Math.Max(left, 0)} left", null, -1, null, offset);

    private static ulong ReadPacked(ReadOnlySpan<byte> data, ref int pos, int baseOffset)
    {
        Need(data, pos, 1, baseOffset);
        var first = data[pos++];
        var width = first switch
        {
            < 0xFB => 0,
            0xFC => 2,
            0xFD => 3,
            0xFE => 8,
            _ => throw new BinlogFormatException($"invalid packed integer prefix 0x{first:X2}", null, -1, null, pos - 1 + baseOffset),
        };
        if (width == 0)
        {
            return first;
        }

        Need(data, pos, width, baseOffset);
        ulong v = 0;
        for (var i = width - 1; i >= 0; i--)
        {
            v = (v << 8) | data[pos + i];
        }

        pos += width;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadLength(ReadOnlySpan<byte> data, ref int pos, int width, int baseOffset)
    {
        Need(data, pos, width, baseOffset);
        uint length = width switch
        {
            1 => data[pos],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]),
            3 => (uint)(data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16)),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(data[pos..]),
        };
        pos += width;
        if (length > (uint)(data.Length - pos))
        {
            ThrowShort(data.Length - pos, (int)Math.Min(length, int.MaxValue), pos + baseOffset);
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadBigEndian(ReadOnlySpan<byte> data, int pos, int width)
    {
        ulong v = 0;
        for (var i = 0; i < width; i++)
        {
            v = (v << 8) | data[pos + i];
        }

        return v;
    }

    private static ColumnValue ReadValue(ReadOnlySpan<byte> data, ref int pos, ColumnDefinition column, int baseOffset)
    {
        var start = pos;
        switch (column.Plan)
        {
            case DecodePlan.Int8:
                Need(data, pos, 1, baseOffset);
                pos += 1;
                return column.IsUnsigned ? ColumnValue.FromUInt64(data[start]) : ColumnValue.FromInt64((sbyte)data[start]);
            case DecodePlan.Int16:
                Need(data, pos, 2, baseOffset);
                pos += 2;
                return column.IsUnsigned
                    ? ColumnValue.FromUInt64(BinaryPrimitives.ReadUInt16LittleEndian(data[start..]))
                    : ColumnValue.FromInt64(BinaryPrimitives.ReadInt16LittleEndian(data[start..]));
            case DecodePlan.Int24:
            {
                Need(data, pos, 3, baseOffset);
                pos += 3;
                var v = data[start] | (data[start + 1] << 8) | (data[start + 2] << 16);
                return column.IsUnsigned ? ColumnValue.FromUInt64((ulong)v) : ColumnValue.FromInt64((v << 8) >> 8);
            }

            case DecodePlan.Int32:
                Need(data, pos, 4, baseOffset);
                pos += 4;
                return column.IsUnsigned
                    ? ColumnValue.FromUInt64(BinaryPrimitives.ReadUInt32LittleEndian(data[start..]))
                    : ColumnValue.FromInt64(BinaryPrimitives.ReadInt32LittleEndian(data[start..]));
            case DecodePlan.Int64:
                Need(data, pos, 8, baseOffset);
                pos += 8;
                return column.IsUnsigned
                    ? ColumnValue.FromUInt64(BinaryPrimitives.ReadUInt64LittleEndian(data[start..]))
                    : ColumnValue.FromInt64(BinaryPrimitives.ReadInt64LittleEndian(data[start..]));
            case DecodePlan.Float:
                Need(data, pos, 4, baseOffset);
                pos += 4;
                return ColumnValue.FromSingle(BinaryPrimitives.ReadSingleLittleEndian(data[start..]));
            case DecodePlan.Double:
                Need(data, pos, 8, baseOffset);
                pos += 8;
                return ColumnValue.FromDouble(BinaryPrimitives.ReadDoubleLittleEndian(data[start..]));
            case DecodePlan.Decimal:
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                return ColumnValue.FromDecimal(start, column.Size, column.Precision, column.Scale);
            case DecodePlan.Year:
            {
                Need(data, pos, 1, baseOffset);
                pos += 1;
                var y = data[start];
                return ColumnValue.FromYear(y == 0 ? 0 : y + 1900);
            }

            case DecodePlan.Date:
            {
                Need(data, pos, 3, baseOffset);
                pos += 3;
                var v = data[start] | (data[start + 1] << 8) | (data[start + 2] << 16);
                return ColumnValue.FromDate(v >> 9, (v >> 5) & 0xF, v & 0x1F);
            }

            case DecodePlan.Time:
            {
                Need(data, pos, 3, baseOffset);
                pos += 3;
                var v = ((data[start] | (data[start + 1] << 8) | (data[start + 2] << 16)) << 8) >> 8;
                var a = Math.Abs(v);
                var micros = ((((a / 10000) * 3600L) + ((a / 100 % 100) * 60L) + (a % 100)) * 1_000_000L) * Math.Sign(v);
                return ColumnValue.FromTime(micros, 0);
            }

            case DecodePlan.Time2:
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                return ColumnValue.FromTime(TemporalBinary.DecodeTime2(data.Slice(start, column.Size), column.Fsp), (byte)column.Fsp);
            case DecodePlan.DateTime:
            {
                Need(data, pos, 8, baseOffset);
                pos += 8;
                var v = BinaryPrimitives.ReadUInt64LittleEndian(data[start..]);
                var d = v / 1_000_000;
                var t = v % 1_000_000;
                return ColumnValue.FromDateTime((int)(d / 10000 % 10000), (int)(d % 10000 / 100), (int)(d % 100),
                    (int)(t / 10000), (int)(t % 10000 / 100), (int)(t % 100), 0, 0);
            }

            case DecodePlan.DateTime2:
            {
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                var fsp = column.Fsp;
                var intPart = (long)ReadBigEndian(data, start, 5) - 0x80_0000_0000L;
                long frac = FractionMicros(data, start + 5, fsp);
                var packed = (intPart << 24) + frac;
                if (packed < 0)
                {
                    packed = -packed;
                }

                var ymdhms = packed >> 24;
                var ymd = ymdhms >> 17;
                var ym = ymd >> 5;
                var hms = ymdhms & 0x1FFFF;
                return ColumnValue.FromDateTime((int)(ym / 13), (int)(ym % 13), (int)(ymd & 0x1F),
                    (int)(hms >> 12), (int)((hms >> 6) & 0x3F), (int)(hms & 0x3F), (int)(packed & 0xFFFFFF), (byte)fsp);
            }

            case DecodePlan.Timestamp:
                Need(data, pos, 4, baseOffset);
                pos += 4;
                return ColumnValue.FromTimestamp(BinaryPrimitives.ReadUInt32LittleEndian(data[start..]), 0, 0);
            case DecodePlan.Timestamp2:
            {
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                var seconds = (long)ReadBigEndian(data, start, 4);
                var micro = (int)FractionMicros(data, start + 4, column.Fsp, unsignedSmall: true);
                return ColumnValue.FromTimestamp(seconds, Math.Clamp(micro, 0, 999_999), (byte)column.Fsp);
            }

            case DecodePlan.Bit:
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                return ColumnValue.FromBit(column.Size == 0 ? 0 : ReadBigEndian(data, start, column.Size));
            case DecodePlan.Enum:
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                return ColumnValue.FromEnum(column.Size == 1 ? data[start] : BinaryPrimitives.ReadUInt16LittleEndian(data[start..]));
            case DecodePlan.Set:
            {
                Need(data, pos, column.Size, baseOffset);
                pos += column.Size;
                ulong mask = 0;
                for (var i = column.Size - 1; i >= 0; i--)
                {
                    mask = (mask << 8) | data[start + i];
                }

                return ColumnValue.FromSet(mask);
            }

            case DecodePlan.String or DecodePlan.VarString:
            {
                var length = (int)ReadLength(data, ref pos, column.Size, baseOffset);

                // BINARY(n) is logged without its trailing 0x00 padding: remember n to pad it back.
                var bits = column.StringKind == ValueKind.Binary
                    ? (column.Plan == DecodePlan.String ? column.MaxLength : 0)
                    : column.CollationId;
                var value = ColumnValue.FromSlice(column.StringKind, pos, length, bits);
                pos += length;
                return value;
            }

            case DecodePlan.Blob:
            {
                var length = (int)ReadLength(data, ref pos, column.Size, baseOffset);
                var value = ColumnValue.FromSlice(column.StringKind, pos, length, column.StringKind == ValueKind.Binary ? 0 : column.CollationId);
                pos += length;
                return value;
            }

            case DecodePlan.Json or DecodePlan.Geometry or DecodePlan.Vector:
            {
                var length = (int)ReadLength(data, ref pos, column.Size, baseOffset);
                var kind = column.Plan switch
                {
                    DecodePlan.Json => ValueKind.Json,
                    DecodePlan.Geometry => ValueKind.Geometry,
                    _ => ValueKind.Vector,
                };
                var value = ColumnValue.FromSlice(kind, pos, length);
                pos += length;
                return value;
            }

            case DecodePlan.Null:
                return ColumnValue.NullValue;
            default:
                throw new BinlogFormatException(
                    $"column {column.DisplayName} of type {column.BinlogType} (metadata 0x{column.Metadata:X4}) cannot be decoded",
                    null, -1, null, pos + baseOffset);
        }
    }

    /// <summary>Microseconds from the 0-3 fraction bytes of TIME2/DATETIME2/TIMESTAMP2 (big-endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FractionMicros(ReadOnlySpan<byte> data, int pos, int fsp, bool unsignedSmall = false) => fsp switch
    {
        1 or 2 => (unsignedSmall ? data[pos] : (sbyte)data[pos]) * 10000L,
        3 or 4 => (short)((data[pos] << 8) | data[pos + 1]) * 100L,
        5 or 6 => (((data[pos] << 16) | (data[pos + 1] << 8) | data[pos + 2]) << 8) >> 8,
        _ => 0,
    };
}

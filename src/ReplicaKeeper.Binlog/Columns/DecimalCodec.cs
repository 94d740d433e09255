namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// MySQL's binary DECIMAL (decimal2bin): the integer and fraction parts are packed separately,
/// 9 decimal digits per 4 big-endian bytes plus a shorter group for the leftover digits
/// (integer: leading, fraction: trailing). The first byte's top bit is flipped so values sort as
/// bytes; a negative value has every byte complemented.
/// </summary>
public static class DecimalCodec
{
    private const int DigitsPerGroup = 9;
    private static readonly int[] DigitsToBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

    /// <summary>Bytes of a DECIMAL(precision, scale) value.</summary>
    public static int BinarySize(int precision, int scale)
    {
        var intg = Math.Max(precision - scale, 0);
        return (intg / DigitsPerGroup * 4) + DigitsToBytes[intg % DigitsPerGroup]
            + (scale / DigitsPerGroup * 4) + DigitsToBytes[scale % DigitsPerGroup];
    }

    /// <summary>Longest text of a DECIMAL(precision, scale): sign, digits, point, leading zero.</summary>
    public static int MaxTextLength(int precision) => precision + 3;

    /// <summary>The exact decimal text ("-12.340", "0.000000001"), as MySQL prints it.</summary>
    public static string ToString(ReadOnlySpan<byte> binary, int precision, int scale)
    {
        Span<byte> text = stackalloc byte[MaxTextLength(Math.Max(precision, 1)) + 9];
        var n = Format(binary, precision, scale, text);
        return System.Text.Encoding.ASCII.GetString(text[..n]);
    }

    /// <summary>
    /// Writes the decimal's ASCII text into <paramref name="destination"/> (at least
    /// <see cref="MaxTextLength"/> + 9 bytes) and returns its length. Throws
    /// <see cref="BinlogFormatException"/> when the bytes are not a valid decimal of that precision.
    /// </summary>
    public static int Format(ReadOnlySpan<byte> binary, int precision, int scale, Span<byte> destination)
    {
        if (scale > precision || precision > 65 + 16 || binary.Length != BinarySize(precision, scale))
        {
            throw new BinlogFormatException($"DECIMAL({precision},{scale}) value of {binary.Length} byte(s)");
        }

        var intg = precision - scale;
        var negative = (binary[0] & 0x80) == 0;
        var mask = negative ? 0xFF : 0;
        var pos = 0;
        var o = 1; // reserve destination[0] for a sign

        // Integer part: leading partial group, then full groups.
        var leading = intg % DigitsPerGroup;
        if (leading > 0)
        {
            var size = DigitsToBytes[leading];
            var value = ReadGroup(binary, ref pos, size, mask);
            o = WriteDigits(value, leading, destination, o);
        }

        for (var g = 0; g < intg / DigitsPerGroup; g++)
        {
            o = WriteDigits(ReadGroup(binary, ref pos, 4, mask), DigitsPerGroup, destination, o);
        }

        // Strip leading zeros of the integer part, keeping one.
        var start = 1;
        while (start < o - 1 && destination[start] == (byte)'0')
        {
            start++;
        }

        if (o == 1)
        {
            destination[o++] = (byte)'0';
        }

        var allZero = true;
        for (var i = start; i < o; i++)
        {
            allZero &= destination[i] == (byte)'0';
        }

        if (scale > 0)
        {
            destination[o++] = (byte)'.';
            var fractionStart = o;
            for (var g = 0; g < scale / DigitsPerGroup; g++)
            {
                o = WriteDigits(ReadGroup(binary, ref pos, 4, mask), DigitsPerGroup, destination, o);
            }

            var trailing = scale % DigitsPerGroup;
            if (trailing > 0)
            {
                o = WriteDigits(ReadGroup(binary, ref pos, DigitsToBytes[trailing], mask), trailing, destination, o);
            }

            for (var i = fractionStart; i < o; i++)
            {
                allZero &= destination[i] == (byte)'0';
            }
        }

        // Shift to drop the leading zeros and place the sign (no "-0").
        var signed = negative && !allZero;
        var length = o - start + (signed ? 1 : 0);
        if (signed)
        {
            destination[start - 1] = (byte)'-';
            start--;
        }

        destination.Slice(start, length).CopyTo(destination);
        return length;
    }

    private static uint ReadGroup(ReadOnlySpan<byte> binary, ref int pos, int size, int mask)
    {
        uint v = 0;
        for (var i = 0; i < size; i++)
        {
            var b = binary[pos] ^ mask;
            if (pos == 0)
            {
                b ^= 0x80;
            }

            v = (v << 8) | (uint)(b & 0xFF);
            pos++;
        }

        // The leading group is stored as a signed integer of its width; the flip above restores its magnitude.
        return v;
    }

    private static int WriteDigits(uint value, int digits, Span<byte> destination, int o)
    {
        if (digits < 10 && value >= Pow10(digits))
        {
            throw new BinlogFormatException($"DECIMAL group value {value} has more than {digits} digit(s)");
        }

        for (var i = digits - 1; i >= 0; i--)
        {
            destination[o + i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return o + digits;
    }

    private static uint Pow10(int n)
    {
        uint p = 1;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }
}

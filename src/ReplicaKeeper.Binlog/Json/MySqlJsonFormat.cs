using System.Buffers;
using System.Globalization;

namespace ReplicaKeeper.Binlog.Json;

/// <summary>
/// Scalar text exactly as MySQL's Json_wrapper::to_string prints it: strings double-quoted with
/// MySQL's escaping (control characters as \u00xx; MySQL leaves 0x1F raw, which is not valid JSON,
/// so 0x1F is escaped here too), doubles through my_gcvt with the
/// JSON field width (shortest round-trip digits; "e" notation outside 1e-15..1e15; ".0" appended
/// to integral values), DECIMAL digits as a number, dates and times quoted with six fraction digits.
/// </summary>
public static class MySqlJsonFormat
{
    /// <summary>MY_GCVT_MAX_FIELD_WIDTH: DBL_DIG + 4 + max(5, MAX_DECPT_FOR_F_FORMAT).</summary>
    private const int GcvtWidth = 15 + 4 + 15;
    private const int MaxDecptForFFormat = 15;

    public static void WriteString(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan((utf8.Length * 6) + 2);
        var o = 0;
        span[o++] = (byte)'"';
        foreach (var c in utf8)
        {
            byte escape = c switch
            {
                (byte)'"' => (byte)'"',
                (byte)'\\' => (byte)'\\',
                (byte)'\b' => (byte)'b',
                (byte)'\f' => (byte)'f',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                (byte)'\t' => (byte)'t',
                _ => 0,
            };
            if (escape != 0)
            {
                span[o++] = (byte)'\\';
                span[o++] = escape;
            }
            else if (c <= 0x1F)
            {
                span[o++] = (byte)'\\';
                span[o++] = (byte)'u';
                span[o++] = (byte)'0';
                span[o++] = (byte)'0';
                span[o++] = (byte)"0123456789abcdef"[c >> 4];
                span[o++] = (byte)"0123456789abcdef"[c & 0xF];
            }
            else
            {
                span[o++] = c;
            }
        }

        span[o++] = (byte)'"';
        output.Advance(o);
    }

    public static void WriteAscii(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    public static void WriteAscii(ReadOnlySpan<byte> text, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        text.CopyTo(output.GetSpan(text.Length));
        output.Advance(text.Length);
    }

    public static void WriteInt64(long value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        output.Advance(n);
    }

    public static void WriteUInt64(ulong value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        output.Advance(n);
    }

    /// <summary>A JSON double as MySQL prints it (my_gcvt, then ".0" for integral values).</summary>
    public static void WriteDouble(double value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<char> text = stackalloc char[64];
        var n = FormatDouble(value, text);
        var hasPointOrExponent = text[..n].IndexOfAny('.', 'e') >= 0;
        WriteAscii(text[..n], output);
        if (!hasPointOrExponent)
        {
            WriteAscii(".0", output);
        }
    }

    /// <summary>my_gcvt(value, MY_GCVT_ARG_DOUBLE, MY_GCVT_MAX_FIELD_WIDTH) with shortest digits.</summary>
    public static int FormatDouble(double value, Span<char> destination)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            destination[0] = '0';
            return 1;
        }

        if (value == 0)
        {
            destination[0] = '0';
            return 1;
        }

        Span<char> digits = stackalloc char[32];
        var len = ShortestDigits(value, digits, out var decpt);
        var negative = value < 0;
        var width = GcvtWidth - (negative ? 1 : 0);
        var expLen = 1 + (decpt >= 101 || decpt <= -99 ? 1 : 0) + (decpt >= 11 || decpt <= -9 ? 1 : 0);
        var haveSpace = (decpt <= 0 ? len - decpt + 2 : decpt > 0 && decpt < len ? len + 1 : decpt) <= width;
        var forceE = decpt <= 0 && width <= 2 - decpt && width >= 3 + expLen;
        var useF = (haveSpace || (decpt <= width && (decpt >= -1 || (decpt == -2 && (len > 1 || !forceE))) && !forceE))
            && (!haveSpace || (decpt >= -MaxDecptForFFormat + 1 && (decpt <= MaxDecptForFFormat || len > decpt)));
        var o = 0;
        if (negative)
        {
            destination[o++] = '-';
        }

        if (useF)
        {
            if (decpt <= 0)
            {
                destination[o++] = '0';
                destination[o++] = '.';
                for (var z = decpt; z < 0; z++)
                {
                    destination[o++] = '0';
                }
            }

            int i;
            for (i = 1; i <= len; i++)
            {
                destination[o++] = digits[i - 1];
                if (i == decpt && i < len)
                {
                    destination[o++] = '.';
                }
            }

            while (i++ <= decpt)
            {
                destination[o++] = '0';
            }

            return o;
        }

        var exponent = decpt - 1;
        destination[o++] = digits[0];
        if (len > 1)
        {
            destination[o++] = '.';
            for (var i = 1; i < len; i++)
            {
                destination[o++] = digits[i];
            }
        }

        destination[o++] = 'e';
        if (exponent < 0)
        {
            destination[o++] = '-';
            exponent = -exponent;
        }

        exponent.TryFormat(destination[o..], out var en, default, CultureInfo.InvariantCulture);
        return o + en;
    }

    /// <summary>Shortest round-trip significant digits of |value| and the decimal point position (dtoa's decpt).</summary>
    private static int ShortestDigits(double value, Span<char> digits, out int decpt)
    {
        Span<char> r = stackalloc char[40];
        Math.Abs(value).TryFormat(r, out var n, "R", CultureInfo.InvariantCulture);
        var text = r[..n];
        var exponent = 0;
        var e = text.IndexOfAny('E', 'e');
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.');
        var intDigits = point >= 0 ? point : text.Length;
        var len = 0;
        foreach (var c in text)
        {
            if (c != '.')
            {
                digits[len++] = c;
            }
        }

        decpt = intDigits + exponent;
        var start = 0;
        while (start < len - 1 && digits[start] == '0')
        {
            start++;
            decpt--;
        }

        if (start > 0)
        {
            digits[start..len].CopyTo(digits);
            len -= start;
        }

        while (len > 1 && digits[len - 1] == '0')
        {
            len--;
        }

        return len;
    }
}

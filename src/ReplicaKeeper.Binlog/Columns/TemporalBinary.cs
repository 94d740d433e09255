namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// MySQL 5.6+ temporal binary forms (TIME2): big-endian, offset by half the range, with 0-3
/// fraction bytes (fsp 1-2: 1 byte, 3-4: 2 bytes, 5-6: 3 bytes).
/// </summary>
public static class TemporalBinary
{
    /// <summary>TIME2 (my_time_packed_from_binary) to signed microseconds.</summary>
    public static long DecodeTime2(ReadOnlySpan<byte> b, int fsp)
    {
        if (b.Length < 3 + ((Math.Clamp(fsp, 0, 6) + 1) / 2))
        {
            throw new BinlogFormatException($"TIME2({fsp}) value of {b.Length} byte(s)", null, -1, null, -1);
        }

        long packed;
        switch (fsp)
        {
            case 1 or 2:
            {
                long intPart = (long)BigEndian(b, 3) - 0x800000;
                long frac = b[3];
                if (intPart < 0 && frac != 0)
                {
                    intPart++;
                    frac -= 0x100;
                }

                packed = (intPart << 24) + (frac * 10000);
                break;
            }

            case 3 or 4:
            {
                long intPart = (long)BigEndian(b, 3) - 0x800000;
                long frac = (b[3] << 8) | b[4];
                if (intPart < 0 && frac != 0)
                {
                    intPart++;
                    frac -= 0x10000;
                }

                packed = (intPart << 24) + (frac * 100);
                break;
            }

            case 5 or 6:
                packed = (long)BigEndian(b, 6) - 0x8000_0000_0000L;
                break;
            default:
                packed = ((long)BigEndian(b, 3) - 0x800000) << 24;
                break;
        }

        var negative = packed < 0;
        if (negative)
        {
            packed = -packed;
        }

        var hms = packed >> 24;
        var hour = (hms >> 12) & 0x3FF;
        var minute = (hms >> 6) & 0x3F;
        var second = hms & 0x3F;
        var micro = packed & 0xFFFFFF;
        var total = (((((hour * 60) + minute) * 60) + second) * 1_000_000L) + micro;
        return negative ? -total : total;
    }

    private static ulong BigEndian(ReadOnlySpan<byte> b, int width)
    {
        if (b.Length < width)
        {
            throw new BinlogFormatException($"TIME2 value needs {width} byte(s), got {b.Length}", null, -1, null, -1);
        }

        ulong v = 0;
        for (var i = 0; i < width; i++)
        {
            v = (v << 8) | b[i];
        }

        return v;
    }
}

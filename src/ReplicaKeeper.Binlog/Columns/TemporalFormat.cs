namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// Writes DATE, DATETIME, TIMESTAMP and TIME values as MySQL prints them, into UTF-8 bytes:
/// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS[.ffffff]" and "[-]HH:MM:SS[.ffffff]" with exactly fsp
/// fraction digits. Zero and partial dates ("0000-00-00", "2024-00-15") print as they are.
/// </summary>
public static class TemporalFormat
{
    /// <summary>Enough room for any value these methods write.</summary>
    public const int MaxLength = 32;

    public static int WriteDate(int year, int month, int day, Span<byte> destination)
    {
        var o = Digits(year, 4, destination, 0);
        destination[o++] = (byte)'-';
        o = Digits(month, 2, destination, o);
        destination[o++] = (byte)'-';
        return Digits(day, 2, destination, o);
    }

    public static int WriteDateTime(int year, int month, int day, int hour, int minute, int second, int micro, int fsp, Span<byte> destination)
    {
        var o = WriteDate(year, month, day, destination);
        destination[o++] = (byte)' ';
        o = WriteClock(hour, minute, second, destination, o);
        return Fraction(micro, fsp, destination, o);
    }

    /// <summary>TIME from signed microseconds; hours may have three digits.</summary>
    public static int WriteTime(long microseconds, int fsp, Span<byte> destination)
    {
        var o = 0;
        if (microseconds < 0)
        {
            destination[o++] = (byte)'-';
            microseconds = -microseconds;
        }

        var micro = (int)(microseconds % 1_000_000);
        var totalSeconds = microseconds / 1_000_000;
        var hours = (int)Math.Min(totalSeconds / 3600, 99_999);
        o = Digits(hours, hours > 99 ? (hours > 999 ? (hours > 9999 ? 5 : 4) : 3) : 2, destination, o);
        destination[o++] = (byte)':';
        o = Digits((int)(totalSeconds / 60 % 60), 2, destination, o);
        destination[o++] = (byte)':';
        o = Digits((int)(totalSeconds % 60), 2, destination, o);
        return Fraction(micro, fsp, destination, o);
    }

    /// <summary>A cell's temporal value (DATE, DATETIME, TIMESTAMP in UTC, TIME) as text bytes.</summary>
    public static int Write(in ColumnValue value, Span<byte> destination)
    {
        switch (value.Kind)
        {
            case ValueKind.Date:
                return WriteDate(value.Year, value.Month, value.Day, destination);
            case ValueKind.DateTime:
                return WriteDateTime(value.Year, value.Month, value.Day, value.Hour, value.Minute, value.Second, value.Microsecond, value.Fsp, destination);
            case ValueKind.Time:
                return WriteTime(value.Int64, value.Fsp, destination);
            case ValueKind.Timestamp:
            {
                var seconds = value.UnixSeconds;
                if (seconds == 0 && value.Microsecond == 0)
                {
                    return WriteDateTime(0, 0, 0, 0, 0, 0, 0, value.Fsp, destination);
                }

                var days = seconds / 86400;
                var rest = (int)(seconds % 86400);
                var (y, m, d) = CivilFromDays(days);
                return WriteDateTime(y, m, d, rest / 3600, rest / 60 % 60, rest % 60, value.Microsecond, value.Fsp, destination);
            }

            default:
                return 0;
        }
    }

    public static string ToString(in ColumnValue value)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        var n = Write(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    /// <summary>Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).</summary>
    private static (int Year, int Month, int Day) CivilFromDays(long z)
    {
        z += 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var doe = z - (era * 146097);
        var yoe = (doe - (doe / 1460) + (doe / 36524) - (doe / 146096)) / 365;
        var y = yoe + (era * 400);
        var doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        var mp = ((5 * doy) + 2) / 153;
        var d = doy - (((153 * mp) + 2) / 5) + 1;
        var m = mp < 10 ? mp + 3 : mp - 9;
        return ((int)(y + (m <= 2 ? 1 : 0)), (int)m, (int)d);
    }

    private static int WriteClock(int hour, int minute, int second, Span<byte> destination, int o)
    {
        o = Digits(hour, 2, destination, o);
        destination[o++] = (byte)':';
        o = Digits(minute, 2, destination, o);
        destination[o++] = (byte)':';
        return Digits(second, 2, destination, o);
    }

    private static int Fraction(int micro, int fsp, Span<byte> destination, int o)
    {
        if (fsp <= 0)
        {
            return o;
        }

        fsp = Math.Min(fsp, 6);
        destination[o++] = (byte)'.';
        var scaled = micro;
        for (var i = fsp; i < 6; i++)
        {
            scaled /= 10;
        }

        return Digits(scaled, fsp, destination, o);
    }

    private static int Digits(int value, int width, Span<byte> destination, int o)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            destination[o + i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return o + width;
    }
}

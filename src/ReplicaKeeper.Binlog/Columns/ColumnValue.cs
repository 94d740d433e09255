using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// One decoded cell of a row image: a 24-byte struct without references, so filling a row buffer
/// neither boxes nor allocates. Numbers and temporal values are inline; strings, blobs, DECIMAL,
/// JSON, GEOMETRY and VECTOR are an <see cref="Offset"/>/<see cref="Length"/> slice of the event
/// bytes the row was read from (<see cref="RowImage.Source"/>). Text, decimal and JSON strings are
/// made only when asked for, through <see cref="RowImage"/>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct ColumnValue
{
    private readonly long _bits;

    private ColumnValue(ValueKind kind, long bits, int offset = 0, int length = 0, byte fsp = 0)
    {
        Kind = kind;
        _bits = bits;
        Offset = offset;
        Length = length;
        Fsp = fsp;
    }

    public ValueKind Kind { get; }

    /// <summary>Fractional-second digits (0-6) of TIME, DATETIME and TIMESTAMP values.</summary>
    public byte Fsp { get; }

    /// <summary>Start of the value's bytes in the row's source (slice kinds only).</summary>
    public int Offset { get; }

    /// <summary>Length of the value's bytes in the row's source (slice kinds only).</summary>
    public int Length { get; }

    public bool IsNull => Kind == ValueKind.Null;

    public bool IsPresent => Kind != ValueKind.Absent;

    /// <summary>Signed integer, YEAR, ENUM index, or TIME in microseconds.</summary>
    public long Int64 => _bits;

    /// <summary>Unsigned integer, BIT value or SET bitmask.</summary>
    public ulong UInt64 => (ulong)_bits;

    public float Single => BitConverter.Int32BitsToSingle((int)_bits);

    public double Double => BitConverter.Int64BitsToDouble(_bits);

    /// <summary>The raw inline bits (kind-specific packing).</summary>
    public long RawBits => _bits;

    /// <summary>DECIMAL precision (total digits).</summary>
    public int DecimalPrecision => (int)(_bits >> 8);

    /// <summary>DECIMAL scale (digits after the point).</summary>
    public int DecimalScale => (int)(_bits & 0xFF);

    /// <summary>Character-set collation id of a <see cref="ValueKind.Text"/> value (-1 when unknown).</summary>
    public int CollationId => Kind == ValueKind.Binary ? TextEncoding.BinaryCollation : (int)_bits;

    /// <summary>
    /// Length of a <see cref="ValueKind.Binary"/> value as the server returns it: BINARY(n) values are
    /// logged without trailing 0x00 bytes and padded back to n (see <see cref="RowImage.GetBinary"/>).
    /// </summary>
    public int PaddedLength => Kind == ValueKind.Binary ? Math.Max(Length, (int)_bits) : Length;

    // DATE / DATETIME packing: year(14) month(4) day(5) hour(7) minute(6) second(6) microsecond(20).
    public int Year => Kind switch
    {
        ValueKind.Year => (int)_bits,
        ValueKind.Date or ValueKind.DateTime => (int)(_bits >> 48) & 0x3FFF,
        ValueKind.Timestamp => TimestampDateTime.Year,
        _ => 0,
    };

    public int Month => Kind is ValueKind.Date or ValueKind.DateTime ? (int)(_bits >> 44) & 0xF : Kind == ValueKind.Timestamp ? TimestampDateTime.Month : 0;

    public int Day => Kind is ValueKind.Date or ValueKind.DateTime ? (int)(_bits >> 39) & 0x1F : Kind == ValueKind.Timestamp ? TimestampDateTime.Day : 0;

    public int Hour => Kind == ValueKind.DateTime ? (int)(_bits >> 32) & 0x7F : 0;

    public int Minute => Kind == ValueKind.DateTime ? (int)(_bits >> 26) & 0x3F : 0;

    public int Second => Kind == ValueKind.DateTime ? (int)(_bits >> 20) & 0x3F : 0;

    /// <summary>Microseconds of a DATETIME or TIMESTAMP value.</summary>
    public int Microsecond => Kind switch
    {
        ValueKind.DateTime or ValueKind.Timestamp => (int)(_bits & 0xFFFFF),
        ValueKind.Time => (int)(Math.Abs(_bits) % 1_000_000),
        _ => 0,
    };

    /// <summary>TIMESTAMP: seconds since 1970-01-01 00:00:00 UTC (0 is the zero timestamp).</summary>
    public long UnixSeconds => Kind == ValueKind.Timestamp ? _bits >> 20 : 0;

    /// <summary>TIME as a signed duration (may exceed 24 hours; TIME ranges ±838:59:59.999999).</summary>
    public TimeSpan TimeValue => TimeSpan.FromTicks(_bits * 10);

    private DateTime TimestampDateTime => DateTime.UnixEpoch.AddSeconds(_bits >> 20);

    /// <summary>
    /// DATETIME/DATE/TIMESTAMP as a <see cref="System.DateTime"/> (UTC kind for TIMESTAMP, unspecified
    /// otherwise), or null for zero and partial dates that have no such representation.
    /// </summary>
    public DateTime? ToDateTime()
    {
        if (Kind == ValueKind.Timestamp)
        {
            return DateTime.SpecifyKind(DateTime.UnixEpoch.AddSeconds(_bits >> 20).AddTicks((_bits & 0xFFFFF) * 10), DateTimeKind.Utc);
        }

        if (Kind is not (ValueKind.Date or ValueKind.DateTime))
        {
            return null;
        }

        int y = Year, m = Month, d = Day;
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return null;
        }

        return new DateTime(y, m, d, Hour % 24, Minute % 60, Second % 60, DateTimeKind.Unspecified).AddTicks(Microsecond * 10L);
    }

    /// <summary>The value's bytes inside <paramref name="source"/> (slice kinds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> source) => source.Slice(Offset, Length);

    internal static ColumnValue Absent => default;

    internal static ColumnValue NullValue => new(ValueKind.Null, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ColumnValue FromInt64(long value) => new(ValueKind.Int64, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ColumnValue FromUInt64(ulong value) => new(ValueKind.UInt64, (long)value);

    internal static ColumnValue FromSingle(float value) => new(ValueKind.Single, BitConverter.SingleToInt32Bits(value));

    internal static ColumnValue FromDouble(double value) => new(ValueKind.Double, BitConverter.DoubleToInt64Bits(value));

    internal static ColumnValue FromDecimal(int offset, int length, int precision, int scale) =>
        new(ValueKind.Decimal, (precision << 8) | scale, offset, length);

    internal static ColumnValue FromYear(int year) => new(ValueKind.Year, year);

    internal static ColumnValue FromDate(int year, int month, int day) =>
        new(ValueKind.Date, PackDateTime(year, month, day, 0, 0, 0, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ColumnValue FromDateTime(int year, int month, int day, int hour, int minute, int second, int micro, byte fsp) =>
        new(ValueKind.DateTime, PackDateTime(year, month, day, hour, minute, second, micro), fsp: fsp);

    internal static ColumnValue FromTimestamp(long seconds, int micro, byte fsp) =>
        new(ValueKind.Timestamp, (seconds << 20) | (uint)micro, fsp: fsp);

    internal static ColumnValue FromTime(long microseconds, byte fsp) => new(ValueKind.Time, microseconds, fsp: fsp);

    internal static ColumnValue FromBit(ulong value) => new(ValueKind.Bit, (long)value);

    internal static ColumnValue FromEnum(int index) => new(ValueKind.Enum, index);

    internal static ColumnValue FromSet(ulong mask) => new(ValueKind.Set, (long)mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ColumnValue FromSlice(ValueKind kind, int offset, int length, long bits = 0) => new(kind, bits, offset, length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long PackDateTime(int year, int month, int day, int hour, int minute, int second, int micro) =>
        ((long)(year & 0x3FFF) << 48) | ((long)(month & 0xF) << 44) | ((long)(day & 0x1F) << 39) |
        ((long)(hour & 0x7F) << 32) | ((long)(minute & 0x3F) << 26) | ((long)(second & 0x3F) << 20) | (long)(micro & 0xFFFFF);

    public override string ToString() => $"{Kind}({_bits}, {Offset}+{Length})";
}

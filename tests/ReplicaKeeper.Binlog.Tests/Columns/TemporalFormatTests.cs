using System.Text;
using ReplicaKeeper.Binlog.Columns;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Columns;

public class TemporalFormatTests
{
    private static string Time(long micros, int fsp)
    {
        Span<byte> buffer = stackalloc byte[TemporalFormat.MaxLength];
        return Encoding.ASCII.GetString(buffer[..TemporalFormat.WriteTime(micros, fsp, buffer)]);
    }

    [Theory]
    [InlineData(-(838L * 3600 + 59 * 60 + 59) * 1_000_000, 6, "-838:59:59.000000")]
    [InlineData((838L * 3600 + 59 * 60 + 59) * 1_000_000, 0, "838:59:59")]
    [InlineData(-1, 6, "-00:00:00.000001")]
    [InlineData(100L * 3600 * 1_000_000 + 500_000, 3, "100:00:00.500")]
    [InlineData(12_345_678, 1, "00:00:12.3")]
    public void Time_prints_sign_long_hours_and_exactly_fsp_digits(long micros, int fsp, string expected) =>
        Assert.Equal(expected, Time(micros, fsp));

    [Fact]
    public void Zero_and_partial_dates_print_as_they_are()
    {
        Span<byte> buffer = stackalloc byte[TemporalFormat.MaxLength];
        Assert.Equal("0000-00-00", Encoding.ASCII.GetString(buffer[..TemporalFormat.WriteDate(0, 0, 0, buffer)]));
        Assert.Equal("2024-00-15 00:00:00.00", Encoding.ASCII.GetString(buffer[..TemporalFormat.WriteDateTime(2024, 0, 15, 0, 0, 0, 0, 2, buffer)]));
    }

    [Theory]
    [InlineData(0x80, 0x00, 0x00, 0x00, 0L)]                 // TIME(0) 00:00:00
    [InlineData(0x7F, 0xFF, 0xFF, 0xFF, -1_000_000L)]        // TIME(0) -00:00:01 (int part -1, fsp 0 ignores byte 4)
    public void Time2_decodes_the_offset_binary_form(byte b0, byte b1, byte b2, byte b3, long expectedMicros)
    {
        _ = b3;
        Assert.Equal(expectedMicros, TemporalBinary.DecodeTime2([b0, b1, b2], 0));
    }

    [Fact]
    public void Time2_with_fraction_borrows_for_negative_values()
    {
        // -00:00:00.1 with fsp 1: int part -1 (0x7FFFFF), fraction byte 0x100-10 = 0xF6.
        Assert.Equal(-100_000L, TemporalBinary.DecodeTime2([0x7F, 0xFF, 0xFF, 0xF6], 1));
    }
}

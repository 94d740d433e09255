using ReplicaKeeper.Binlog.Columns;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Columns;

public class DecimalCodecTests
{
    // decimal2bin's own example (strings/decimal.cc): DECIMAL(14,4) 1234567890.1234.
    [Theory]
    [InlineData("810DFB38D204D2", 14, 4, "1234567890.1234")]
    [InlineData("7EF204C72DFB2D", 14, 4, "-1234567890.1234")]
    public void Decodes_the_documented_examples(string hex, int precision, int scale, string expected) =>
        Assert.Equal(expected, DecimalCodec.ToString(Convert.FromHexString(hex), precision, scale));

    [Theory]
    [InlineData(65, 30, 30)]
    [InlineData(10, 2, 5)]
    [InlineData(18, 9, 8)]
    [InlineData(5, 0, 3)]
    [InlineData(3, 3, 2)]
    [InlineData(1, 0, 1)]
    public void Binary_size_packs_nine_digits_per_four_bytes(int precision, int scale, int size) =>
        Assert.Equal(size, DecimalCodec.BinarySize(precision, scale));

    [Fact]
    public void Positive_zero_has_no_sign_and_keeps_the_scale()
    {
        var zero = new byte[DecimalCodec.BinarySize(10, 2)];
        zero[0] = 0x80;
        Assert.Equal("0.00", DecimalCodec.ToString(zero, 10, 2));
    }

    [Fact]
    public void Negative_values_complement_every_byte()
    {
        // DECIMAL(18,9) -0.000000001: integer part 9 digits (4 bytes) = 0, fraction group = 1.
        var positive = new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 1 };
        var negative = positive.Select(b => (byte)~b).ToArray();
        Assert.Equal("0.000000001", DecimalCodec.ToString(positive, 18, 9));
        Assert.Equal("-0.000000001", DecimalCodec.ToString(negative, 18, 9));
    }

    [Fact]
    public void Digits_beyond_the_group_width_are_a_format_error()
    {
        var bad = new byte[] { 0x80 | 0x7F, 0xFF, 0xFF, 0xFF }; // 9-digit group holding > 999999999
        Assert.Throws<BinlogFormatException>(() => DecimalCodec.ToString(bad, 9, 0));
    }

    [Fact]
    public void Wrong_length_is_a_format_error() =>
        Assert.Throws<BinlogFormatException>(() => DecimalCodec.ToString(new byte[3], 10, 2));
}

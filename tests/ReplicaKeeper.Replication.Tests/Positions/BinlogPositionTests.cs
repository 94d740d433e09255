using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class BinlogPositionTests
{
    [Theory]
    [InlineData("bin.000001:4", "bin.000001", 4UL)]
    [InlineData("mysql-bin.000123:18446744073709551615", "mysql-bin.000123", ulong.MaxValue)]
    [InlineData("host:with:colons.000002:0", "host:with:colons.000002", 0UL)]
    public void Parses_and_prints_round_trip(string text, string file, ulong offset)
    {
        var position = BinlogPosition.Parse(text);
        Assert.Equal(new BinlogPosition(file, offset), position);
        Assert.Equal(text, position.ToString());
        Assert.True(BinlogPosition.TryParse(text, out var again));
        Assert.Equal(position, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bin.000001")]
    [InlineData(":4")]
    [InlineData("bin.000001:")]
    [InlineData("bin.000001:-4")]
    [InlineData("bin.000001:+4")]
    [InlineData("bin.000001: 4")]
    [InlineData("bin.000001:04")]
    [InlineData("bin.000001:4x")]
    [InlineData("bin.000001:18446744073709551616")]
    [InlineData("/var/lib/mysql/bin.000001:4")]
    [InlineData(" bin.000001:4")]
    public void Rejects_malformed_text_naming_it(string text)
    {
        Assert.False(BinlogPosition.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => BinlogPosition.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_of_null_is_false() => Assert.False(BinlogPosition.TryParse(null, out _));

    [Fact]
    public void Orders_by_file_number_then_offset()
    {
        var positions = new[]
        {
            BinlogPosition.Parse("bin.1000000:4"),
            BinlogPosition.Parse("bin.000002:100"),
            BinlogPosition.Parse("bin.000002:4"),
            BinlogPosition.Parse("bin.999999:500"),
        };
        var sorted = positions.Order().Select(p => p.ToString()).ToArray();
        Assert.Equal(["bin.000002:4", "bin.000002:100", "bin.999999:500", "bin.1000000:4"], sorted);
        Assert.True(BinlogPosition.Parse("bin.000002:4") < BinlogPosition.Parse("bin.000010:4"));
        Assert.True(BinlogPosition.Parse("bin.000010:4") >= BinlogPosition.Parse("bin.000002:99999"));
    }

    [Fact]
    public void StartOf_is_offset_four() => Assert.Equal("bin.000007:4", BinlogPosition.StartOf("bin.000007").ToString());
}

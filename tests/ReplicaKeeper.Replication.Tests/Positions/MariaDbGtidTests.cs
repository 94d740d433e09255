using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class MariaDbGtidTests
{
    [Theory]
    [InlineData("0-1-100", 0U, 1U, 100UL)]
    [InlineData("4294967295-4294967295-18446744073709551615", uint.MaxValue, uint.MaxValue, ulong.MaxValue)]
    [InlineData("10-2-0", 10U, 2U, 0UL)]
    public void Gtid_round_trips(string text, uint domain, uint server, ulong sequence)
    {
        var gtid = MariaDbGtid.Parse(text);
        Assert.Equal(new MariaDbGtid(domain, server, sequence), gtid);
        Assert.Equal(text, gtid.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0-1")]
    [InlineData("0-1-")]
    [InlineData("-1-2")]
    [InlineData("0--1-2")]
    [InlineData("0-1-2-3")]
    [InlineData("a-1-2")]
    [InlineData("4294967296-1-2")]
    [InlineData("0-1-18446744073709551616")]
    [InlineData("0-+1-2")]
    public void Gtid_rejects_malformed_text(string text)
    {
        Assert.False(MariaDbGtid.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => MariaDbGtid.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0-1-100")]
    [InlineData("0-1-100,1-2-5")]
    [InlineData("0-1-100,1-2-5,7-1-1")]
    public void List_round_trips_exactly(string text)
    {
        var list = MariaDbGtidList.Parse(text);
        Assert.Equal(text, list.ToString());
        Assert.Equal(list, MariaDbGtidList.Parse(list.ToString()));
    }

    [Fact]
    public void List_accepts_whitespace_and_any_order_and_prints_in_domain_order()
    {
        var list = MariaDbGtidList.Parse(" 1-2-5 ,\n 0-1-100 ");
        Assert.Equal("0-1-100,1-2-5", list.ToString());
        Assert.Equal(2, list.Count);
    }

    [Theory]
    [InlineData("0-1-100,0-2-5")]
    [InlineData("0-1-100,")]
    [InlineData("0-1-100,,1-1-1")]
    [InlineData("0-1")]
    [InlineData("x")]
    public void List_rejects_malformed_text(string text)
    {
        Assert.False(MariaDbGtidList.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => MariaDbGtidList.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_replaces_the_domain_entry_and_keeps_order()
    {
        var list = MariaDbGtidList.Parse("0-1-100,5-1-7");
        var advanced = list.With(new MariaDbGtid(0, 2, 101)).With(new MariaDbGtid(3, 1, 1));
        Assert.Equal("0-1-100,5-1-7", list.ToString());
        Assert.Equal("0-2-101,3-1-1,5-1-7", advanced.ToString());
        Assert.True(advanced.TryGet(3, out var gtid));
        Assert.Equal(new MariaDbGtid(3, 1, 1), gtid);
        Assert.False(advanced.TryGet(4, out _));
        Assert.Same(list, list.With(new MariaDbGtid(0, 1, 100)));
    }

    [Fact]
    public void Covers_compares_sequence_in_the_same_domain()
    {
        var list = MariaDbGtidList.Parse("0-1-100");
        Assert.True(list.Covers(new MariaDbGtid(0, 9, 100)));
        Assert.True(list.Covers(new MariaDbGtid(0, 1, 5)));
        Assert.False(list.Covers(new MariaDbGtid(0, 1, 101)));
        Assert.False(list.Covers(new MariaDbGtid(1, 1, 1)));
    }

    [Fact]
    public void Of_rejects_two_gtids_of_one_domain() =>
        Assert.Throws<ArgumentException>(() => MariaDbGtidList.Of(new MariaDbGtid(0, 1, 1), new MariaDbGtid(0, 2, 2)));

    [Fact]
    public void Equality_is_by_value()
    {
        Assert.Equal(MariaDbGtidList.Parse("1-1-1,0-1-1"), MariaDbGtidList.Parse("0-1-1,1-1-1"));
        Assert.True(MariaDbGtidList.Parse("0-1-1") != MariaDbGtidList.Parse("0-1-2"));
    }
}

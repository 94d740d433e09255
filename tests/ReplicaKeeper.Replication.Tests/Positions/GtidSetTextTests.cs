using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class GtidSetTextTests
{
    private const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private const string B = "4b9c3a21-0000-11e1-9e33-c80aa9429562";
    private const string High = "f0000000-0000-0000-0000-000000000001";

    [Theory]
    [InlineData("")]
    [InlineData(A + ":1")]
    [InlineData(A + ":1-5")]
    [InlineData(A + ":1-5:7:9-12")]
    [InlineData(A + ":1-5," + B + ":3")]
    [InlineData(A + ":tag1:1-5")]
    [InlineData(A + ":1-3:alpha:1-2:beta_2:7")]
    [InlineData(A + ":_x:9223372036854775806")]
    [InlineData(A + ":1-3," + B + ":blue:1-7," + High + ":1")]
    public void Canonical_text_round_trips_exactly(string text)
    {
        var set = GtidSet.Parse(text);
        Assert.Equal(text, set.ToString());
        Assert.Equal(set, GtidSet.Parse(set.ToString()));
        Assert.True(GtidSet.TryParse(text, out var again));
        Assert.Equal(set, again);
    }

    [Fact]
    public void Accepts_mysql_multiline_output_with_whitespace_and_prints_it_back()
    {
        var mysqlOutput = A + ":1-10,\n" + B + ":1-3";
        var set = GtidSet.Parse(mysqlOutput);
        Assert.Equal(A + ":1-10," + B + ":1-3", set.ToString());
        Assert.Equal(mysqlOutput, set.ToMultilineString());
    }

    [Theory]
    [InlineData("  " + A + " : 1 - 5 ,\n\t " + B + ":3  ")]
    [InlineData(A + ":1-5,,," + B + ":3,")]
    [InlineData("," + B + ":3," + A + ":1-5")]
    [InlineData(B + ":3," + A + ":4-5:1-3")]
    [InlineData(A + ":1-2," + B + ":3," + A + ":3-5")]
    public void Normalizes_whitespace_order_and_duplicates(string text) =>
        Assert.Equal(A + ":1-5," + B + ":3", GtidSet.Parse(text).ToString());

    [Fact]
    public void Lower_cases_uuid_and_tags()
    {
        var set = GtidSet.Parse(A.ToUpperInvariant() + ":TAG_One:1-2");
        Assert.Equal(A + ":tag_one:1-2", set.ToString());
    }

    [Fact]
    public void Merges_adjacent_and_overlapping_intervals()
    {
        Assert.Equal(A + ":1-10", GtidSet.Parse(A + ":1-3:4-6:5-10").ToString());
        Assert.Equal(A + ":1-3:5", GtidSet.Parse(A + ":5:1-3:2").ToString());
        Assert.Equal(A + ":1-3:5-6", GtidSet.Parse(A + ":1:2:3:5:6").ToString());
    }

    [Fact]
    public void Untagged_intervals_come_first_then_tags_alphabetically_within_one_uuid()
    {
        var set = GtidSet.Parse(A + ":zeta:1," + A + ":alpha:2," + A + ":7");
        Assert.Equal(A + ":7:alpha:2:zeta:1", set.ToString());
    }

    [Fact]
    public void Tag_applies_to_following_intervals_until_the_next_tag()
    {
        var set = GtidSet.Parse(A + ":1-2:t1:5:6-7:t2:1");
        Assert.Equal([new GtidInterval(1, 2)], set.IntervalsOf(Guid.Parse(A)).ToArray());
        Assert.Equal([new GtidInterval(5, 7)], set.IntervalsOf(Guid.Parse(A), "t1").ToArray());
        Assert.Equal([new GtidInterval(1, 1)], set.IntervalsOf(Guid.Parse(A), "T2").ToArray());
    }

    [Fact]
    public void Sources_are_ordered_by_uuid_bytes()
    {
        // The first group of a Guid is little-endian in memory; MySQL orders by text bytes.
        var low = "01000000-0000-0000-0000-0000000000ff";
        var high = "00ffffff-0000-0000-0000-000000000000";
        Assert.Equal(high + ":1," + low + ":1", GtidSet.Parse(low + ":1," + high + ":1").ToString());
    }

    [Fact]
    public void A_uuid_without_intervals_adds_nothing() =>
        Assert.True(GtidSet.Parse(A + "," + A + ":tag").IsEmpty);

    [Theory]
    [InlineData("x")]
    [InlineData("3e11fa47-71ca-11e1-9e33")]
    [InlineData("3e11fa4771ca11e19e33c80aa9429562:1")]
    [InlineData(A + ":0")]
    [InlineData(A + ":-1")]
    [InlineData(A + ":1-")]
    [InlineData(A + ":5-3")]
    [InlineData(A + ":1-5x")]
    [InlineData(A + ":1;")]
    [InlineData(A + ":9223372036854775807")]
    [InlineData(A + ":99999999999999999999")]
    [InlineData(A + ":1tag:1")]
    [InlineData(A + ":tag-x:1")]
    [InlineData(A + ":abcdefghijklmnopqrstuvwxyz0123456:1")]
    [InlineData(A + ":1 2")]
    [InlineData(A + "1")]
    [InlineData("ANONYMOUS:1")]
    [InlineData(A + ":0x10")]
    public void Rejects_malformed_text_with_a_message_naming_it(string text)
    {
        Assert.False(GtidSet.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => GtidSet.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at character", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_message_truncates_very_long_text()
    {
        var text = string.Join(',', Enumerable.Range(0, 20).Select(_ => A + ":1-100")) + ",bad";
        var ex = Assert.Throws<FormatException>(() => GtidSet.Parse(text));
        Assert.Contains("...", ex.Message, StringComparison.Ordinal);
        Assert.Contains("near 'bad'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_of_32_characters_is_accepted()
    {
        var tag = new string('a', 32);
        Assert.Equal(A + ":" + tag + ":1", GtidSet.Parse(A + ":" + tag + ":1").ToString());
    }

    [Fact]
    public void TryParse_of_null_is_false() => Assert.False(GtidSet.TryParse(null, out _));
}

using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class GtidSetAlgebraTests
{
    private const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private const string B = "4b9c3a21-0000-11e1-9e33-c80aa9429562";
    private static readonly Guid UuidA = Guid.Parse(A);

    [Fact]
    public void Add_extends_merges_and_is_immutable()
    {
        var empty = GtidSet.Empty;
        var one = empty.Add(UuidA, null, 1);
        var two = one.Add(UuidA, null, 2);
        var gap = two.Add(UuidA, null, 5);
        var filled = gap.Add(UuidA, null, 4).Add(UuidA, null, 3);
        Assert.True(empty.IsEmpty);
        Assert.Equal(A + ":1", one.ToString());
        Assert.Equal(A + ":1-2", two.ToString());
        Assert.Equal(A + ":1-2:5", gap.ToString());
        Assert.Equal(A + ":1-5", filled.ToString());
        Assert.Same(filled, filled.Add(UuidA, null, 3));
    }

    [Fact]
    public void Add_before_first_interval_and_between_intervals()
    {
        var set = GtidSet.Parse(A + ":5-6:10");
        Assert.Equal(A + ":1:5-6:10", set.Add(UuidA, null, 1).ToString());
        Assert.Equal(A + ":4-6:10", set.Add(UuidA, null, 4).ToString());
        Assert.Equal(A + ":5-6:8:10", set.Add(UuidA, null, 8).ToString());
        Assert.Equal(A + ":5-7:10", set.Add(UuidA, null, 7).ToString());
        Assert.Equal(A + ":5-6:9-10", set.Add(UuidA, null, 9).ToString());
        Assert.Equal(A + ":5-8", GtidSet.Parse(A + ":5-6:8").Add(UuidA, null, 7).ToString());
    }

    [Fact]
    public void Tagged_and_untagged_gtids_of_one_uuid_are_different_members()
    {
        var set = GtidSet.Empty.Add(Gtid.Parse(A + ":1")).Add(Gtid.Parse(A + ":tag1:1"));
        Assert.Equal(A + ":1:tag1:1", set.ToString());
        Assert.True(set.Contains(Gtid.Parse(A + ":TAG1:1")));
        Assert.False(set.Contains(Gtid.Parse(A + ":tag2:1")));
        Assert.Equal(2UL, set.Count);
    }

    [Theory]
    [InlineData(A + ":1-5", A + ":3-9", A + ":1-9")]
    [InlineData(A + ":1-5", A + ":7", A + ":1-5:7")]
    [InlineData(A + ":1-5", A + ":6", A + ":1-6")]
    [InlineData(A + ":1-5", B + ":1", A + ":1-5," + B + ":1")]
    [InlineData(A + ":1:3:5", A + ":2:4", A + ":1-5")]
    [InlineData("", A + ":1", A + ":1")]
    [InlineData(A + ":x:1", A + ":1", A + ":1:x:1")]
    public void Union(string left, string right, string expected)
    {
        Assert.Equal(expected, GtidSet.Parse(left).Union(GtidSet.Parse(right)).ToString());
        Assert.Equal(expected, GtidSet.Parse(right).Union(GtidSet.Parse(left)).ToString());
    }

    [Theory]
    [InlineData(A + ":1-10", A + ":3-4", A + ":1-2:5-10")]
    [InlineData(A + ":1-10", A + ":1-10", "")]
    [InlineData(A + ":1-10", A + ":1", A + ":2-10")]
    [InlineData(A + ":1-10", A + ":10", A + ":1-9")]
    [InlineData(A + ":1-10:20-30", A + ":5-25", A + ":1-4:26-30")]
    [InlineData(A + ":1-10:20-30", A + ":2:4:6-8:21", A + ":1:3:5:9-10:20:22-30")]
    [InlineData(A + ":1-10," + B + ":1-3", B + ":1-3", A + ":1-10")]
    [InlineData(A + ":1-10", B + ":1-10", A + ":1-10")]
    [InlineData(A + ":1-3:t:1-3", A + ":t:2", A + ":1-3:t:1:3")]
    [InlineData("", A + ":1", "")]
    public void Except(string left, string right, string expected)
    {
        Assert.Equal(expected, GtidSet.Parse(left).Except(GtidSet.Parse(right)).ToString());
    }

    [Theory]
    [InlineData(A + ":1-10", A + ":3-4:8-12", A + ":3-4:8-10")]
    [InlineData(A + ":1-10", B + ":1-10", "")]
    [InlineData(A + ":1-3:7-9", A + ":2-8", A + ":2-3:7-8")]
    public void Intersect(string left, string right, string expected)
    {
        Assert.Equal(expected, GtidSet.Parse(left).Intersect(GtidSet.Parse(right)).ToString());
        Assert.Equal(expected, GtidSet.Parse(right).Intersect(GtidSet.Parse(left)).ToString());
    }

    [Theory]
    [InlineData("", A + ":1", true)]
    [InlineData(A + ":2-3", A + ":1-5", true)]
    [InlineData(A + ":1-5", A + ":1-5", true)]
    [InlineData(A + ":1-6", A + ":1-5", false)]
    [InlineData(A + ":1-2:7", A + ":1-5:8", false)]
    [InlineData(A + ":1-2:8", A + ":1-5:8", true)]
    [InlineData(A + ":t:1", A + ":1", false)]
    [InlineData(B + ":1", A + ":1-100", false)]
    [InlineData(A + ":3-7", A + ":1-5:6-9", true)]
    public void IsSubsetOf(string sub, string super, bool expected)
    {
        Assert.Equal(expected, GtidSet.Parse(sub).IsSubsetOf(GtidSet.Parse(super)));
        Assert.Equal(expected, GtidSet.Parse(super).IsSupersetOf(GtidSet.Parse(sub)));
    }

    [Fact]
    public void Set_operations_agree_with_a_naive_model_on_random_sets()
    {
        var random = new Random(12345);
        var uuids = new[] { Guid.Parse(A), Guid.Parse(B) };
        string?[] tags = [null, "t"];
        for (var round = 0; round < 300; round++)
        {
            var (left, leftModel) = RandomSet(random, uuids, tags);
            var (right, rightModel) = RandomSet(random, uuids, tags);
            AssertModel(leftModel.Union(rightModel), left.Union(right));
            AssertModel(leftModel.Except(rightModel), left.Except(right));
            AssertModel(leftModel.Intersect(rightModel), left.Intersect(right));
            Assert.Equal(leftModel.IsSubsetOf(rightModel), left.IsSubsetOf(right));
            Assert.Equal(left, GtidSet.Parse(left.ToString()));
            Assert.Equal(left, GtidSet.Decode(left.Encode()));
            Assert.Equal((ulong)leftModel.Count, left.Count);
        }
    }

    private static (GtidSet Set, HashSet<Gtid> Model) RandomSet(Random random, Guid[] uuids, string?[] tags)
    {
        var set = GtidSet.Empty;
        var model = new HashSet<Gtid>();
        var n = random.Next(0, 25);
        for (var i = 0; i < n; i++)
        {
            var gtid = new Gtid(uuids[random.Next(uuids.Length)], tags[random.Next(tags.Length)], random.Next(1, 40));
            set = set.Add(gtid);
            model.Add(gtid);
        }

        return (set, model);
    }

    private static void AssertModel(IEnumerable<Gtid> expected, GtidSet actual)
    {
        var fromSet = actual.Sources
            .SelectMany(s => s.Intervals.SelectMany(iv => Enumerable.Range((int)iv.First, (int)iv.Count).Select(n => new Gtid(s.SourceId, s.Tag, n))))
            .ToHashSet();
        Assert.True(fromSet.SetEquals(expected), $"expected {string.Join(' ', expected.Select(g => g.ToString()).Order())} got {actual}");
        foreach (var gtid in expected)
        {
            Assert.True(actual.Contains(gtid));
        }
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var a = GtidSet.Parse(A + ":1-3:5");
        var b = GtidSet.Empty.Add(UuidA, null, 5).Add(UuidA, null, 1).Add(UuidA, null, 2).Add(UuidA, null, 3);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, GtidSet.Parse(A + ":1-5"));
        Assert.True(a != GtidSet.Parse(A + ":t:1-3:5"));
    }

    [Fact]
    public void Count_sums_intervals_and_saturates()
    {
        Assert.Equal(8UL, GtidSet.Parse(A + ":1-5:10-12").Count);
        var huge = GtidSet.Parse(A + ":1-9223372036854775806:a:1-9223372036854775806:b:1-9223372036854775806");
        Assert.Equal(ulong.MaxValue, huge.Count);
    }

    [Fact]
    public void Add_rejects_bad_gtids()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GtidSet.Empty.Add(UuidA, null, 0));
        Assert.Throws<FormatException>(() => GtidSet.Empty.Add(UuidA, "9bad", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GtidInterval(5, 4));
    }
}

file static class GtidSetModelExtensions
{
    public static HashSet<Gtid> Union(this HashSet<Gtid> a, HashSet<Gtid> b) => [.. a, .. b];

    public static HashSet<Gtid> Except(this HashSet<Gtid> a, HashSet<Gtid> b) => a.Where(g => !b.Contains(g)).ToHashSet();

    public static HashSet<Gtid> Intersect(this HashSet<Gtid> a, HashSet<Gtid> b) => a.Where(b.Contains).ToHashSet();
}

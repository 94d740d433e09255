using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class GtidSetEncodingTests
{
    private const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private const string B = "4b9c3a21-0000-11e1-9e33-c80aa9429562";
    private static readonly byte[] UuidABytes = Convert.FromHexString("3e11fa4771ca11e19e33c80aa9429562");

    [Fact]
    public void Empty_set_is_eight_zero_bytes()
    {
        Assert.Equal(new byte[8], GtidSet.Empty.Encode());
        Assert.True(GtidSet.Decode(new byte[8]).IsEmpty);
    }

    [Fact]
    public void Untagged_set_uses_the_classic_layout()
    {
        var expected = Concat(
            Le(1), UuidABytes, Le(2),
            Le(1), Le(6),     // 1-5 as [1, 6)
            Le(9), Le(10));   // 9 as [9, 10)
        var set = GtidSet.Parse(A + ":1-5:9");
        Assert.Equal(expected, set.Encode());
        Assert.Equal(expected.Length, set.EncodedLength);
        Assert.Equal(set, GtidSet.Decode(expected));
    }

    [Fact]
    public void Tagged_set_uses_the_mysql_84_tagged_layout()
    {
        // n_sids = (format 1 << 56) | (2 << 8) | format 1; untagged entries carry an empty tag (0x00).
        var expected = Concat(
            [0x01, 0x02, 0, 0, 0, 0, 0, 0x01],
            UuidABytes, [0x00], Le(1), Le(1), Le(4),
            UuidABytes, [0x08, (byte)'t', (byte)'a', (byte)'g', (byte)'1'], Le(1), Le(2), Le(3));
        var set = GtidSet.Parse(A + ":1-3:tag1:2");
        Assert.True(set.HasTags);
        Assert.Equal(expected, set.Encode());
        Assert.Equal(expected.Length, set.EncodedLength);
        Assert.Equal(set, GtidSet.Decode(expected));
    }

    [Theory]
    [InlineData(A + ":1-5," + B + ":1-3:7:100-200")]
    [InlineData(A + ":1:x:1:y:2," + B + ":z:9223372036854775806")]
    [InlineData(A + ":abcdefghijklmnopqrstuvwxyz012345:1-2")]
    public void Round_trips(string text)
    {
        var set = GtidSet.Parse(text);
        var bytes = set.Encode();
        Assert.Equal(set, GtidSet.Decode(bytes));
        Assert.Equal(text, GtidSet.Decode(bytes).ToString());
    }

    [Fact]
    public void Decode_reports_consumed_length_and_ignores_what_follows()
    {
        var bytes = Concat(GtidSet.Parse(A + ":1").Encode(), [0xAA, 0xBB]);
        var set = GtidSet.Decode(bytes, out var consumed);
        Assert.Equal(bytes.Length - 2, consumed);
        Assert.Equal(A + ":1", set.ToString());
        Assert.Throws<BinlogFormatException>(() => GtidSet.Decode(bytes));
    }

    [Fact]
    public void Decode_merges_repeated_sources_like_the_server()
    {
        var bytes = Concat(Le(2), UuidABytes, Le(1), Le(1), Le(3), UuidABytes, Le(1), Le(3), Le(5));
        Assert.Equal(A + ":1-4", GtidSet.Decode(bytes).ToString());
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "short header", [1, 0, 0] },
        { "unknown format", [0, 0, 0, 0, 0, 0, 0, 2] },
        { "tagged without low format byte", [0x00, 0x01, 0, 0, 0, 0, 0, 0x01] },
        { "missing source", Le(1) },
        { "truncated uuid", Concat(Le(1), UuidABytes[..10]) },
        { "interval count beyond data", Concat(Le(1), UuidABytes, Le(2), Le(1), Le(2)) },
        { "huge interval count", Concat(Le(1), UuidABytes, Le(ulong.MaxValue)) },
        { "empty interval", Concat(Le(1), UuidABytes, Le(1), Le(5), Le(5)) },
        { "zero start", Concat(Le(1), UuidABytes, Le(1), Le(0), Le(5)) },
        { "overlapping intervals", Concat(Le(1), UuidABytes, Le(2), Le(1), Le(5), Le(4), Le(8)) },
        { "unsorted intervals", Concat(Le(1), UuidABytes, Le(2), Le(5), Le(6), Le(1), Le(2)) },
        { "tag length too long", Concat([0x01, 0x01, 0, 0, 0, 0, 0, 0x01], UuidABytes, [66], new byte[33], Le(0)) },
        { "tag truncated", Concat([0x01, 0x01, 0, 0, 0, 0, 0, 0x01], UuidABytes, [0x08, (byte)'a']) },
        { "tag invalid", Concat([0x01, 0x01, 0, 0, 0, 0, 0, 0x01], UuidABytes, [0x04, (byte)'1', (byte)'a'], Le(0)) },
        { "tag multi-byte length", Concat([0x01, 0x01, 0, 0, 0, 0, 0, 0x01], UuidABytes, [0x01, 0x00], Le(0)) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Rejects_malformed_encodings(string what, byte[] bytes)
    {
        var ex = Assert.Throws<BinlogFormatException>(() => GtidSet.Decode(bytes));
        Assert.False(string.IsNullOrEmpty(ex.Reason), what);
    }

    [Fact]
    public void Every_truncation_of_a_valid_encoding_is_rejected_or_decodes_a_prefix()
    {
        var bytes = GtidSet.Parse(A + ":1-5:9:t:3," + B + ":1").Encode();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<BinlogFormatException>(() => GtidSet.Decode(bytes.AsSpan(0, length)));
        }
    }

    private static byte[] Le(ulong value) => BitConverter.GetBytes(value);

    private static byte[] Le(long value) => BitConverter.GetBytes(value);

    private static byte[] Le(int value) => BitConverter.GetBytes((long)value);

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}

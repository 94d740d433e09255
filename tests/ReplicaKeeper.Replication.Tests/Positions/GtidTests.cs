using ReplicaKeeper.Binlog.Positions;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Positions;

public sealed class GtidTests
{
    private const string A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    [Theory]
    [InlineData(A + ":1")]
    [InlineData(A + ":tag1:23")]
    [InlineData(A + ":9223372036854775806")]
    public void Round_trips(string text) => Assert.Equal(text, Gtid.Parse(text).ToString());

    [Fact]
    public void Normalizes_case()
    {
        var gtid = Gtid.Parse(A.ToUpperInvariant() + ":Tag:5");
        Assert.Equal(A + ":tag:5", gtid.ToString());
        Assert.Equal(Gtid.Parse(A + ":tag:5"), gtid);
    }

    [Theory]
    [InlineData(A)]
    [InlineData(A + ":0")]
    [InlineData(A + ":1-2")]
    [InlineData(A + ":t:")]
    [InlineData(A + ":1t:1")]
    [InlineData(A + ":a:b:1")]
    [InlineData("nope:1")]
    public void Rejects_malformed(string text)
    {
        Assert.False(Gtid.TryParse(text, out _));
        Assert.Contains($"'{text}'", Assert.Throws<FormatException>(() => Gtid.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Uuid_bytes_are_in_text_order()
    {
        var uuid = Guid.Parse(A);
        var bytes = new byte[16];
        SourceUuid.WriteBytes(uuid, bytes);
        Assert.Equal("3E11FA4771CA11E19E33C80AA9429562", Convert.ToHexString(bytes));
        Assert.Equal(uuid, SourceUuid.FromBytes(bytes));
    }
}

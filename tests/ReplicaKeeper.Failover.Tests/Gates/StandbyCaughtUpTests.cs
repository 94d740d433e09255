using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Failover.Gates;
using ReplicaKeeper.Standby.Positions;
using Xunit;

namespace ReplicaKeeper.Failover.Tests.Gates;

public sealed class StandbyCaughtUpTests
{
    private const string Uuid = "22222222-2222-2222-2222-222222222222";

    [Fact]
    public void Passes_when_the_applied_gtid_set_covers_the_archive()
    {
        var gate = PromotionGates.StandbyCaughtUp(Applied(new StandbyPosition(GtidSet.Parse($"{Uuid}:1-20"), null, null)), Durable($"{Uuid}:1-20", false), TimeSpan.Zero);
        Assert.True(gate.Passed, gate.Detail);
    }

    [Fact]
    public void Refuses_with_the_missing_gtids_when_the_standby_lags()
    {
        var gate = PromotionGates.StandbyCaughtUp(Applied(new StandbyPosition(GtidSet.Parse($"{Uuid}:1-18"), null, null)), Durable($"{Uuid}:1-20", false), TimeSpan.Zero);
        Assert.False(gate.Passed);
        Assert.Contains($"missing {Uuid}:19-20", gate.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MariaDb_lists_compare_per_domain()
    {
        var applied = Applied(new StandbyPosition(null, MariaDbGtidList.Parse("0-1-50,1-1-7"), null));
        Assert.True(PromotionGates.StandbyCaughtUp(applied, Durable("0-1-50,1-1-7", true), TimeSpan.Zero).Passed);
        Assert.False(PromotionGates.StandbyCaughtUp(applied, Durable("0-1-51,1-1-7", true), TimeSpan.Zero).Passed);
    }

    [Fact]
    public void Falls_back_to_file_and_offset_without_gtids()
    {
        var applied = Applied(new StandbyPosition(null, null, new BinlogPosition("bin.000003", 900)));
        Assert.True(PromotionGates.StandbyCaughtUp(applied, new DurablePosition("bin.000003", 900, null, null, null, false), TimeSpan.Zero).Passed);
        Assert.False(PromotionGates.StandbyCaughtUp(applied, new DurablePosition("bin.000004", 4, null, null, null, false), TimeSpan.Zero).Passed);
    }

    [Fact]
    public void Refuses_without_an_applied_position_or_an_archive()
    {
        Assert.False(PromotionGates.StandbyCaughtUp(null, Durable($"{Uuid}:1", false), TimeSpan.Zero).Passed);
        Assert.False(PromotionGates.StandbyCaughtUp(Applied(new StandbyPosition(GtidSet.Parse($"{Uuid}:1"), null, null)), null, TimeSpan.Zero).Passed);
    }

    private static AppliedPosition Applied(StandbyPosition position) => new("default", position, null, null, null, null, DateTime.UtcNow);

    private static DurablePosition Durable(string gtids, bool mariaDb) => new("bin.000009", 1234, gtids, null, null, mariaDb);
}

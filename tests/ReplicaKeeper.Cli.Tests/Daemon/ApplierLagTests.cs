using ReplicaKeeper.Cli.Metrics;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Daemon;

public sealed class ApplierLagTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 14, 3, 27, TimeSpan.Zero);

    [Fact]
    public void Is_zero_when_caught_up_however_old_the_last_applied_transaction()
    {
        var lag = ApplierLag.Seconds(caughtUp: true, linkUp: true, appliedSourceTime: Now.AddHours(-3), oldestPendingSourceTime: null, sourceNewestEventTime: Now.AddHours(-3), Now);

        Assert.Equal(0, lag);
    }

    [Fact]
    public void Is_the_age_of_the_oldest_event_waiting_to_be_applied_not_of_the_last_applied_one()
    {
        // idle for an hour, then a burst: the lag is how long the burst has waited, not an hour
        var lag = ApplierLag.Seconds(caughtUp: false, linkUp: true, appliedSourceTime: Now.AddHours(-1), oldestPendingSourceTime: Now.AddSeconds(-4), sourceNewestEventTime: Now.AddSeconds(-1), Now);

        Assert.Equal(4, lag);
    }

    [Fact]
    public void Link_down_uses_the_sources_newest_event_known_to_the_archiver_minus_the_applied_time()
    {
        var lag = ApplierLag.Seconds(caughtUp: true, linkUp: false, appliedSourceTime: Now.AddSeconds(-30), oldestPendingSourceTime: Now.AddSeconds(-40), sourceNewestEventTime: Now.AddSeconds(-12.5), Now);

        Assert.Equal(17.5, lag);
    }

    [Fact]
    public void Is_zero_when_the_applier_has_the_sources_newest_event_while_the_link_is_down()
    {
        var lag = ApplierLag.Seconds(caughtUp: false, linkUp: false, appliedSourceTime: Now.AddSeconds(-5), oldestPendingSourceTime: null, sourceNewestEventTime: Now.AddSeconds(-7), Now);

        Assert.Equal(0, lag);
    }

    [Fact]
    public void Falls_back_to_now_minus_the_applied_time_like_Seconds_Behind_Master()
    {
        var lag = ApplierLag.Seconds(caughtUp: false, linkUp: false, appliedSourceTime: Now.AddSeconds(-90), oldestPendingSourceTime: null, sourceNewestEventTime: null, Now);

        Assert.Equal(90, lag);
    }

    [Fact]
    public void Is_unknown_before_anything_was_applied_and_while_not_caught_up()
    {
        Assert.Null(ApplierLag.Seconds(caughtUp: false, linkUp: false, appliedSourceTime: null, oldestPendingSourceTime: null, sourceNewestEventTime: Now, Now));
        Assert.Equal(0, ApplierLag.Seconds(caughtUp: true, linkUp: true, appliedSourceTime: null, oldestPendingSourceTime: null, sourceNewestEventTime: null, Now));
    }

    [Fact]
    public void Never_negative_when_source_clocks_run_ahead()
    {
        var lag = ApplierLag.Seconds(caughtUp: false, linkUp: true, appliedSourceTime: Now, oldestPendingSourceTime: Now.AddSeconds(3), sourceNewestEventTime: null, Now);

        Assert.Equal(0, lag);
    }
}

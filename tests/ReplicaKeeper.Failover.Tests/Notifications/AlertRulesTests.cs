using ReplicaKeeper.Failover.Notifications;
using ReplicaKeeper.Failover.Status;
using Xunit;

namespace ReplicaKeeper.Failover.Tests.Notifications;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);
    private static readonly AlertThresholds Thresholds = new() { MaxArchiveLagSeconds = 30, MaxArchiveLagBytes = 1_000_000 };

    [Fact]
    public void A_healthy_snapshot_raises_no_alert()
    {
        Assert.Empty(AlertRules.Evaluate(Healthy(), Thresholds));
    }

    [Theory]
    [InlineData(30.0, false)]
    [InlineData(30.5, true)]
    public void Archive_lag_alerts_only_above_the_threshold(double lag, bool alert)
    {
        var snapshot = Healthy() with { Archive = Healthy().Archive! with { LagSeconds = lag } };
        Assert.Equal(alert, AlertRules.ArchiveLag(snapshot, Thresholds) is not null);
    }

    [Theory]
    [InlineData(120.0, null, false)]
    [InlineData(120.0, 300.0, false)]
    [InlineData(300.5, 300.0, true)]
    public void Applier_lag_alerts_only_above_a_configured_threshold(double lag, double? threshold, bool alert)
    {
        var snapshot = Healthy() with { Applier = Healthy().Applier! with { LagSeconds = lag } };
        var thresholds = Thresholds with { MaxApplierLagSeconds = threshold };
        Assert.Equal(alert, AlertRules.ApplierLag(snapshot, thresholds) is not null);
        Assert.Equal(alert, AlertRules.Evaluate(snapshot, thresholds).Any(a => a.Kind == AlertKind.ApplierLag));
    }

    [Fact]
    public void Archive_lag_in_bytes_alerts_above_its_threshold()
    {
        var snapshot = Healthy() with { Archive = Healthy().Archive! with { LagBytes = 2_000_000 } };
        Assert.Equal(AlertKind.ArchiveLag, AlertRules.ArchiveLag(snapshot, Thresholds)?.Kind);
    }

    [Fact]
    public void Stopped_applier_gap_and_failed_drill_each_raise_their_alert()
    {
        var snapshot = Healthy() with
        {
            Archive = Healthy().Archive! with { Gaps = ["bin.000007 missing between bin.000006 and bin.000008"] },
            Applier = Healthy().Applier! with { Running = false, LastError = "duplicate key" },
            LastDrill = new DrillStatusView(Now, false, "row count differs in clinic.patients"),
        };

        var kinds = AlertRules.Evaluate(snapshot, Thresholds).Select(a => a.Kind).ToList();

        Assert.Equal([AlertKind.ArchiveGap, AlertKind.ApplierStopped, AlertKind.DrillFailed], kinds);
        Assert.Contains("duplicate key", AlertRules.ApplierStopped(snapshot)!.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Daily_report_lists_components_and_current_alerts()
    {
        var snapshot = Healthy() with { Applier = Healthy().Applier! with { Running = false } };

        var report = DailyReport.Build(snapshot, Thresholds);

        Assert.Equal(NotificationKind.DailyReport, report.Kind);
        Assert.Contains("1 alert", report.Subject, StringComparison.Ordinal);
        Assert.Contains("Standby applier: STOPPED", report.Body, StringComparison.Ordinal);
        Assert.Contains("ApplierStopped", report.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_json_round_trips()
    {
        var snapshot = Healthy();
        var back = StatusJson.Deserialize(StatusJson.Serialize(snapshot));
        Assert.Equal(snapshot.Archive!.DurableGtids, back.Archive!.DurableGtids);
        Assert.Equal(snapshot.Applier, back.Applier);
        Assert.Contains("\"durableFile\"", StatusJson.Serialize(snapshot), StringComparison.Ordinal);
    }

    private static StatusSnapshot Healthy() => new(
        Now,
        new ArchiveStatusView(true, "bin.000006", 4096, "0-1-100", 0.4, 0, Now, []),
        new ApplierStatusView(true, "0-1-100", 0.5, 120, Now, null),
        new DrillStatusView(Now.AddHours(-3), true, "restored and compared"),
        new SnapshotStatusView(Now.AddHours(-5), "0-1-90", 10_000_000),
        []);
}

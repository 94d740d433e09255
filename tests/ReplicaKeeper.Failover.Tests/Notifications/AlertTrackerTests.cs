using ReplicaKeeper.Failover.Notifications;
using ReplicaKeeper.Failover.Status;
using Xunit;

namespace ReplicaKeeper.Failover.Tests.Notifications;

public sealed class AlertTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_incident_gives_one_alert_while_it_lasts_and_one_resolved_when_it_ends()
    {
        var tracker = new AlertTracker();
        var lag = (double s) => new Alert(AlertKind.ArchiveLag, $"the archive is {s} s behind");

        var first = tracker.Update([lag(70)], T0);
        var again = tracker.Update([lag(95)], T0.AddSeconds(10));
        var over = tracker.Update([], T0.AddSeconds(40));
        var quiet = tracker.Update([], T0.AddSeconds(50));

        Assert.Equal(NotificationKind.Alert, Assert.Single(first).Kind);
        Assert.Empty(again);
        var resolved = Assert.Single(over);
        Assert.Equal(NotificationKind.Resolved, resolved.Kind);
        Assert.Equal("[ReplicaKeeper RESOLVED] ArchiveLag", resolved.Subject);
        Assert.Contains("after 40 s", resolved.Body, StringComparison.Ordinal);
        Assert.Contains("95 s behind", resolved.Body, StringComparison.Ordinal);
        Assert.Empty(quiet);
        Assert.Empty(tracker.Active);
    }

    [Fact]
    public void Different_kinds_are_separate_incidents_and_a_recurrence_alerts_again()
    {
        var tracker = new AlertTracker();
        var gap = new Alert(AlertKind.ArchiveGap, "gap after bin.000003");
        var applier = new Alert(AlertKind.ApplierStopped, "stopped");

        Assert.Single(tracker.Update([gap], T0));
        var both = tracker.Update([gap, applier, applier], T0.AddSeconds(1));
        Assert.Equal(AlertKind.ApplierStopped.ToString(), Assert.Single(both).Subject.Split(' ')[2].TrimEnd(':'));
        Assert.Equal([gap, applier], tracker.Active);
        Assert.Equal(NotificationKind.Resolved, Assert.Single(tracker.Update([applier], T0.AddSeconds(2))).Kind);
        Assert.Equal(NotificationKind.Alert, Assert.Single(tracker.Update([applier, gap], T0.AddSeconds(3))).Kind);
    }

    [Fact]
    public void Source_unreachable_holds_only_after_the_link_was_down_longer_than_the_threshold()
    {
        var thresholds = new AlertThresholds { MaxLinkDownSeconds = 30 };
        StatusSnapshot At(DateTimeOffset? downSince) => new(
            T0,
            new ArchiveStatusView(true, "bin.000002", 4000, null, 0, 0, T0, []) { LinkDownSince = downSince },
            null,
            null,
            null,
            []);

        Assert.Null(AlertRules.SourceUnreachable(At(null), thresholds));
        Assert.Null(AlertRules.SourceUnreachable(At(T0.AddSeconds(-20)), thresholds));
        var alert = AlertRules.SourceUnreachable(At(T0.AddSeconds(-45)), thresholds);
        Assert.NotNull(alert);
        Assert.Contains("45 s", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("bin.000002:4000", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_json_round_trips_components_and_the_link_state()
    {
        var snapshot = new StatusSnapshot(T0, new ArchiveStatusView(true, "bin.000002", 4000, "0-1-7", 1.5, 10, T0, []) { LinkDownSince = T0 }, null, null, null, [])
        {
            Daemon = new DaemonStatusView(T0, "1.0", true, 2),
            Components = [new ComponentStatusView("archiver", true, T0, 1, 2, 3, 4, "boom")],
            ActiveAlerts = ["SourceUnreachable: x"],
        };

        var back = StatusJson.Deserialize(StatusJson.Serialize(snapshot));

        Assert.Equal(T0, back.Archive!.LinkDownSince);
        Assert.Equal(snapshot.Daemon, back.Daemon);
        Assert.Equal(snapshot.Components, back.Components);
        Assert.Equal(snapshot.ActiveAlerts, back.ActiveAlerts);
    }
}

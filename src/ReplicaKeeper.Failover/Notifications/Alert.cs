namespace ReplicaKeeper.Failover.Notifications;

/// <summary>What an immediate alert is about.</summary>
public enum AlertKind
{
    ArchiveLag,
    ArchiveStopped,
    ArchiveGap,
    ApplierStopped,
    ApplierLag,
    DrillFailed,
    SourceUnreachable,
}

/// <summary>One alert condition that holds for a status snapshot.</summary>
public sealed record Alert(AlertKind Kind, string Summary)
{
    public Notification ToNotification(DateTimeOffset now) =>
        new(NotificationKind.Alert, $"[ReplicaKeeper ALERT] {Kind}: {Summary}", Summary, now);

    /// <summary>The one message that says this alert's incident is over.</summary>
    public Notification ToResolvedNotification(DateTimeOffset raisedAt, DateTimeOffset now) =>
        new(
            NotificationKind.Resolved,
            $"[ReplicaKeeper RESOLVED] {Kind}",
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Resolved after {(now - raisedAt).TotalSeconds:0} s. The alert was: {Summary}"),
            now);
}

/// <summary>Alert thresholds (config keys under <c>Notifications:Alerts</c>).</summary>
public sealed record AlertThresholds
{
    /// <summary>Archive lag (seconds behind the master) above which an alert is raised.</summary>
    public double MaxArchiveLagSeconds { get; init; } = 60;

    /// <summary>Archive lag in bytes above which an alert is raised (null: not checked).</summary>
    public long? MaxArchiveLagBytes { get; init; }

    /// <summary>Standby applier lag (seconds behind the source) above which an alert is raised (null: not checked).</summary>
    public double? MaxApplierLagSeconds { get; init; }

    /// <summary>How long the source link may fail (reconnecting) before a SourceUnreachable alert.</summary>
    public double MaxLinkDownSeconds { get; init; } = 60;
}

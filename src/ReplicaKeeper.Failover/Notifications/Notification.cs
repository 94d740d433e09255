namespace ReplicaKeeper.Failover.Notifications;

/// <summary>Immediate alert, the end of an alert's incident, or the daily report.</summary>
public enum NotificationKind
{
    Alert,
    Resolved,
    DailyReport,
}

/// <summary>One message to deliver by every configured channel.</summary>
public sealed record Notification(NotificationKind Kind, string Subject, string Body, DateTimeOffset CreatedAt);

/// <summary>Delivers notifications (SMTP, webhook).</summary>
public interface INotifier
{
    Task SendAsync(Notification notification, CancellationToken ct);
}

namespace ReplicaKeeper.Failover.Notifications;

/// <summary>Immediate alert or the daily report.</summary>
public enum NotificationKind
{
    Alert,
    DailyReport,
}

/// <summary>One message to deliver by every configured channel.</summary>
public sealed record Notification(NotificationKind Kind, string Subject, string Body, DateTimeOffset CreatedAt);

/// <summary>Delivers notifications (SMTP, webhook).</summary>
public interface INotifier
{
    Task SendAsync(Notification notification, CancellationToken ct);
}

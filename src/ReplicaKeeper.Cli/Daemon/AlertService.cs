using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Failover.Notifications;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Evaluates the alert rules against the daemon's status every <see cref="NotificationsConfig.CheckInterval"/>,
/// de-duplicates them into incidents (<see cref="AlertTracker"/>: one alert, one 'resolved'), sends them by every
/// configured channel (SMTP, webhook), and sends the daily report at the configured local time. A delivery that
/// fails is retried at the next check.
/// </summary>
internal sealed class AlertService(DaemonConfig config, DaemonMetrics metrics, IReadOnlyList<INotifier> notifiers, Serilog.ILogger log)
    : PeriodicComponent(DaemonMetrics.Notifier, config.Notifications.CheckInterval, metrics, log, config.Notifications.CheckInterval)
{
    private const int MaxPending = 100;
    private readonly AlertTracker _tracker = new();
    private readonly Queue<Notification> _pending = new();
    private DateOnly? _lastReport;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var snapshot = Metrics.Snapshot();
        var alerts = AlertRules.Evaluate(snapshot, config.Notifications.Alerts);
        foreach (var notification in _tracker.Update(alerts, snapshot.TakenAt))
        {
            Log.Write(notification.Kind == NotificationKind.Alert ? Serilog.Events.LogEventLevel.Warning : Serilog.Events.LogEventLevel.Information, "{Subject}", notification.Subject);
            Enqueue(notification);
        }

        Metrics.ActiveAlerts = _tracker.Active.Select(a => $"{a.Kind}: {a.Summary}").ToList();
        if (config.Notifications.DailyReportAt is { } at)
        {
            var local = TimeZoneInfo.ConvertTime(snapshot.TakenAt, Metrics.Time.LocalTimeZone);
            var today = DateOnly.FromDateTime(local.DateTime);
            if (TimeOnly.FromDateTime(local.DateTime) >= at && _lastReport != today)
            {
                _lastReport = today;
                Enqueue(DailyReport.Build(snapshot with { ActiveAlerts = Metrics.ActiveAlerts }, config.Notifications.Alerts));
            }
        }

        await DeliverAsync(stoppingToken).ConfigureAwait(false);
    }

    private void Enqueue(Notification notification)
    {
        if (notifiers.Count == 0)
        {
            return;
        }

        _pending.Enqueue(notification);
        while (_pending.Count > MaxPending)
        {
            Log.Warning("Dropping undelivered notification {Subject}: too many pending", _pending.Dequeue().Subject);
        }
    }

    private async Task DeliverAsync(CancellationToken ct)
    {
        while (_pending.TryPeek(out var notification))
        {
            foreach (var notifier in notifiers)
            {
                try
                {
                    await notifier.SendAsync(notification, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    Metrics.NotificationFailures++;
                    Health.RecordError($"{notifier.GetType().Name}: {e.Message}");
                    Log.Warning("Could not deliver {Subject} by {Channel}: {Error}; retrying at the next check", notification.Subject, notifier.GetType().Name, e.Message);
                    return;
                }
            }

            _pending.Dequeue();
            Metrics.NotificationsSent++;
        }
    }
}

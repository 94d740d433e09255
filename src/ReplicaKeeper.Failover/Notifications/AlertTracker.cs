namespace ReplicaKeeper.Failover.Notifications;

/// <summary>
/// De-duplicates alerts into incidents: an alert kind that starts to hold gives one alert notification, it stays
/// quiet while it keeps holding (even when its summary changes, e.g. the lag figure), and gives one 'resolved'
/// notification when it stops holding. Not thread-safe: one evaluation loop owns it.
/// </summary>
public sealed class AlertTracker
{
    private readonly Dictionary<AlertKind, (Alert Alert, DateTimeOffset Since)> _active = [];

    /// <summary>The incidents open right now, oldest first.</summary>
    public IReadOnlyList<Alert> Active => _active.Values.OrderBy(a => a.Since).Select(a => a.Alert).ToList();

    /// <summary>Feeds the alerts that hold now; returns what to send (new incidents, then resolved ones).</summary>
    public IReadOnlyList<Notification> Update(IReadOnlyList<Alert> holding, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(holding);
        var send = new List<Notification>();
        var kinds = new HashSet<AlertKind>();
        foreach (var alert in holding)
        {
            if (!kinds.Add(alert.Kind))
            {
                continue;
            }

            if (_active.TryGetValue(alert.Kind, out var open))
            {
                _active[alert.Kind] = (alert, open.Since);
            }
            else
            {
                _active[alert.Kind] = (alert, now);
                send.Add(alert.ToNotification(now));
            }
        }

        foreach (var (kind, open) in _active.Where(a => !kinds.Contains(a.Key)).ToList())
        {
            _active.Remove(kind);
            send.Add(open.Alert.ToResolvedNotification(open.Since, now));
        }

        return send;
    }
}

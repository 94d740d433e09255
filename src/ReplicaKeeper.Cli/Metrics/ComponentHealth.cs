namespace ReplicaKeeper.Cli.Metrics;

/// <summary>Up/down state and counters of one hosted component, updated by the component and by its replication link observer.</summary>
public sealed class ComponentHealth(string name)
{
    private readonly Lock _gate = new();
    private long _errors;
    private long _restarts;
    private long _reconnects;
    private long _linkFailures;

    public string Name { get; } = name;

    public bool Up { get; private set; }

    /// <summary>When <see cref="Up"/> last changed.</summary>
    public DateTimeOffset? Since { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>Since when the component's source link has been failing (null: connected or no link).</summary>
    public DateTimeOffset? LinkDownSince { get; private set; }

    public long Errors => Interlocked.Read(ref _errors);

    public long Restarts => Interlocked.Read(ref _restarts);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long LinkFailures => Interlocked.Read(ref _linkFailures);

    public void MarkUp(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!Up)
            {
                Up = true;
                Since = now;
            }
        }
    }

    public void MarkDown(DateTimeOffset now, string? error)
    {
        lock (_gate)
        {
            if (error is not null)
            {
                LastError = error;
                Interlocked.Increment(ref _errors);
            }

            if (Up || Since is null)
            {
                Up = false;
                Since = now;
            }
        }
    }

    /// <summary>An error the component survived (it stays up).</summary>
    public void RecordError(string error)
    {
        lock (_gate)
        {
            LastError = error;
            Interlocked.Increment(ref _errors);
        }
    }

    public void RecordRestart() => Interlocked.Increment(ref _restarts);

    public void LinkFailed(DateTimeOffset now)
    {
        Interlocked.Increment(ref _linkFailures);
        lock (_gate)
        {
            LinkDownSince ??= now;
        }
    }

    public void LinkRestored()
    {
        Interlocked.Increment(ref _reconnects);
        lock (_gate)
        {
            LinkDownSince = null;
        }
    }

    /// <summary>The link works again without a reconnect message (a first connect after failures, a restart).</summary>
    public void LinkHealthy()
    {
        lock (_gate)
        {
            LinkDownSince = null;
        }
    }
}

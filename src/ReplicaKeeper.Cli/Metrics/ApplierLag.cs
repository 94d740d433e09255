namespace ReplicaKeeper.Cli.Metrics;

/// <summary>
/// The standby applier's lag in seconds, like Seconds_Behind_Master but right when the source is idle: 0 while the
/// applier has applied everything the source sent and waits (an idle source is no lag, however old its last
/// transaction); otherwise how long ago the oldest source event still waiting to be applied was written; without one
/// (the link is down, or no session runs) the source's newest event known to the archiver minus the source time of the
/// last applied transaction; failing that, now minus that time. Null while nothing tells.
/// </summary>
public static class ApplierLag
{
    /// <param name="caughtUp">The applier's read-ahead queue is drained and it waits for the source.</param>
    /// <param name="linkUp">The applier's replication link to the source is working.</param>
    /// <param name="appliedSourceTime">Source commit time of the last transaction committed on the standby.</param>
    /// <param name="oldestPendingSourceTime">Source time of the oldest event read but not yet applied.</param>
    /// <param name="sourceNewestEventTime">The source's newest event as last seen by the archiver (may be stale).</param>
    /// <param name="now">The current time.</param>
    public static double? Seconds(
        bool caughtUp,
        bool linkUp,
        DateTimeOffset? appliedSourceTime,
        DateTimeOffset? oldestPendingSourceTime,
        DateTimeOffset? sourceNewestEventTime,
        DateTimeOffset now)
    {
        if (linkUp && caughtUp)
        {
            return 0;
        }

        if (linkUp && oldestPendingSourceTime is { } pending)
        {
            return NonNegative(now - pending);
        }

        if (appliedSourceTime is not { } applied)
        {
            return null;
        }

        if (sourceNewestEventTime is { } newest)
        {
            return NonNegative(newest - applied);
        }

        return NonNegative(now - applied);
    }

    private static double NonNegative(TimeSpan span) => Math.Max(0, span.TotalSeconds);
}

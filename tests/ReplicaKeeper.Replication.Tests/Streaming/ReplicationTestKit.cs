using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication.Tests.Faults;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Replication.Tests.Streaming;

/// <summary>Shared helpers for real-server replication tests.</summary>
internal static class ReplicationTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static ReplicationOptions Options(TestServer server, FaultProxy? proxy = null, Func<ReplicationOptions, ReplicationOptions>? tweak = null)
    {
        var connection = ConnectionOptions.Parse(server.ReplicationConnectionString) with
        {
            Host = proxy?.Host ?? server.Host,
            Port = proxy?.Port ?? server.Port,
            ConnectionTimeout = TimeSpan.FromSeconds(10),
        };
        var options = new ReplicationOptions
        {
            Connection = connection,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            Reconnect = new ReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(500), MaxAttempts = 200 },
        };
        return tweak is null ? options : tweak(options);
    }

    public static ReplicaClient Client(TestServer server, FaultProxy? proxy = null, Func<ReplicationOptions, ReplicationOptions>? tweak = null) =>
        new(Options(server, proxy, tweak));

    /// <summary>Where the source's binlog ends now, in GTID mode (MySQL set / MariaDB list).</summary>
    public static Task<ReplicationCheckpoint> NowAsync(TestServer server, bool preferPosition = false) =>
        Client(server).GetCurrentCheckpointAsync(preferPosition);

    public static async Task<GtidSet> GtidExecutedAsync(TestServer server) =>
        GtidSet.Parse(await server.ScalarAsync<string>("SELECT @@global.gtid_executed") ?? "");

    public static async Task<MariaDbGtidList> GtidBinlogPosAsync(TestServer server) =>
        MariaDbGtidList.Parse(await server.ScalarAsync<string>("SELECT @@global.gtid_binlog_pos") ?? "");

    /// <summary>Reads events until <paramref name="done"/> says so (checked after each event) or the time runs out.</summary>
    public static async Task<List<ReplicationEvent>> CollectAsync(
        ReplicationStream stream, Func<ReplicationEvent, List<ReplicationEvent>, bool> done, TimeSpan? timeout = null)
    {
        var events = new List<ReplicationEvent>();
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            await foreach (var e in stream.WithCancellation(cts.Token))
            {
                events.Add(e);
                if (done(e, events))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Stream did not reach the expected point in time; {events.Count} event(s) received, completed {stream.Completed}, " +
                $"reconnects {stream.Reconnects}, last: {string.Join(" | ", events.TakeLast(5).Select(Describe))}");
        }

        return events;
    }

    public static string Describe(ReplicationEvent e) =>
        $"{e.Kind} {e.Event.EventType} {e.File}:{e.Offset}->{e.NextOffset} gtid={e.TransactionGtid} completes={e.CompletesTransaction}";

    /// <summary>
    /// The consumer-side check of the delivery contract: every non-artificial event position is
    /// delivered once, and every transaction's events are delivered contiguously and once.
    /// Returns the GTIDs of completed transactions in delivery order.
    /// </summary>
    public static List<string> AssertExactlyOnce(IEnumerable<ReplicationEvent> events)
    {
        var seenPositions = new HashSet<(string, ulong)>();
        var completed = new List<string>();
        string? open = null;
        foreach (var e in events)
        {
            if (e.Kind == ReplicationEventKind.TransactionAborted)
            {
                open = null;
                continue;
            }

            if (e.Kind != ReplicationEventKind.Event || e.TransactionGtid is null)
            {
                continue;
            }

            if (e.Offset is { } offset && !seenPositions.Add((e.File, offset)))
            {
                throw new Xunit.Sdk.XunitException($"event delivered twice: {Describe(e)}");
            }

            if (open is not null && open != e.TransactionGtid)
            {
                throw new Xunit.Sdk.XunitException($"transaction {open} interleaved with {e.TransactionGtid} at {Describe(e)}");
            }

            open = e.TransactionGtid;
            if (e.CompletesTransaction)
            {
                completed.Add(e.TransactionGtid);
                open = null;
            }
        }

        var duplicates = completed.GroupBy(g => g).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"transactions delivered more than once: {string.Join(", ", duplicates)}");
        }

        return completed;
    }
}

using System.Collections.Concurrent;
using ReplicaKeeper.Replication.Tests.Faults;
using ReplicaKeeper.TestServers;
using Xunit;
using static ReplicaKeeper.Replication.Tests.Streaming.ReplicationTestKit;

namespace ReplicaKeeper.Replication.Tests.Link;

/// <summary>Records every link notification in order.</summary>
internal sealed class RecordingLinkObserver : IReplicationLinkObserver
{
    public ConcurrentQueue<object> Notifications { get; } = new();

    public void OnConnected(ReplicationConnected connected) => Notifications.Enqueue(connected);

    public void OnDisconnected(ReplicationDisconnected disconnected) => Notifications.Enqueue(disconnected);

    public void OnReconnecting(ReplicationReconnecting reconnecting) => Notifications.Enqueue(reconnecting);

    public List<T> Of<T>() => Notifications.OfType<T>().ToList();
}

/// <summary>The typed link notifications of <see cref="ReplicationOptions.LinkObserver"/> on a real MariaDB behind a cuttable proxy.</summary>
public sealed class LinkObserverTests(MariaDbFixture fixture) : IClassFixture<MariaDbFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Reports_connected_then_failure_reconnecting_and_reconnected_when_the_link_is_cut()
    {
        await Server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_link; CREATE TABLE IF NOT EXISTS rk_link.t (id INT PRIMARY KEY AUTO_INCREMENT)");
        await using var proxy = FaultProxy.Start(Server.Host, Server.Port);
        var observer = new RecordingLinkObserver();
        var stream = Client(Server, proxy, o => o with { LinkObserver = observer }).OpenStream(await NowAsync(Server));
        var commits = 0;
        await Server.ExecuteAsync("INSERT INTO rk_link.t VALUES ()");
        await CollectAsync(stream, (e, _) =>
        {
            if (!e.CompletesTransaction)
            {
                return false;
            }

            if (++commits == 1)
            {
                Assert.Single(observer.Of<ReplicationConnected>());
                proxy.CutAll();
                Server.ExecuteAsync("INSERT INTO rk_link.t VALUES ()").GetAwaiter().GetResult();
                return false;
            }

            return true;
        });

        var all = observer.Notifications.ToList();
        var connected = observer.Of<ReplicationConnected>();
        Assert.Equal(2, connected.Count);
        Assert.False(connected[0].IsReconnect);
        Assert.True(connected[1].IsReconnect);
        Assert.Equal(2, connected[1].Session);
        Assert.Equal($"{proxy.Host}:{proxy.Port}", connected[0].Server);
        Assert.True(connected[0].IsMariaDb);
        Assert.Equal(stream.Start, connected[0].From);

        var failure = Assert.Single(observer.Of<ReplicationDisconnected>(), d => d.IsFailure);
        Assert.True(failure.WasConnected);
        Assert.True(failure.Transient);
        Assert.IsAssignableFrom<IOException>(failure.Exception);
        var retry = Assert.Single(observer.Of<ReplicationReconnecting>());
        Assert.Equal(1, retry.Attempt);
        Assert.Same(failure.Exception, retry.Cause);

        // order: connected(1) < disconnected < reconnecting < connected(2), and the reconnect resumes after the first commit
        Assert.True(all.IndexOf(connected[0]) < all.IndexOf(failure));
        Assert.True(all.IndexOf(failure) < all.IndexOf(retry));
        Assert.True(all.IndexOf(retry) < all.IndexOf(connected[1]));
        Assert.NotEqual(stream.Start, connected[1].From);

        // the consumer stopping closes the session: a deliberate, non-failure disconnect
        var last = Assert.IsType<ReplicationDisconnected>(observer.Notifications.Last());
        Assert.False(last.IsFailure);
        Assert.False(last.Transient);
    }

    [Fact]
    public async Task A_throwing_link_observer_is_called_and_does_not_break_the_stream()
    {
        await using var proxy = FaultProxy.Start(Server.Host, Server.Port);
        var throwing = new ThrowingLinkObserver();
        var stream = Client(Server, proxy, o => o with { LinkObserver = throwing }).OpenStream(await NowAsync(Server));
        var heartbeats = 0;
        await CollectAsync(stream, (e, _) =>
        {
            if (e.Kind == ReplicationEventKind.Heartbeat && ++heartbeats == 1)
            {
                proxy.CutAll();
            }

            return heartbeats >= 2 && stream.Reconnects == 1;
        });

        Assert.True(throwing.Connected >= 2, $"connected {throwing.Connected} time(s)");
        Assert.True(throwing.Failures >= 1);
    }

    private sealed class ThrowingLinkObserver : IReplicationLinkObserver
    {
        public int Connected { get; private set; }

        public int Failures { get; private set; }

        public void OnConnected(ReplicationConnected connected)
        {
            Connected++;
            throw new InvalidOperationException("observer bug");
        }

        public void OnDisconnected(ReplicationDisconnected disconnected)
        {
            Failures += disconnected.IsFailure ? 1 : 0;
            throw new InvalidOperationException("observer bug");
        }

        public void OnReconnecting(ReplicationReconnecting reconnecting) => throw new InvalidOperationException("observer bug");
    }
}

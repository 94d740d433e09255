using System.Net;
using System.Net.Sockets;
using Xunit;

namespace ReplicaKeeper.Replication.Tests.Faults;

public sealed class FaultProxyTests : IAsyncLifetime
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _serverLoop = Task.CompletedTask;

    /// <summary>The fake server: sends a 1 MB pattern on connect, then echoes what it receives.</summary>
    private static readonly byte[] Pattern = [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7))];

    public Task InitializeAsync()
    {
        _server.Start();
        _serverLoop = ServeAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Stop();
        try
        {
            await _serverLoop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private int ServerPort => ((IPEndPoint)_server.LocalEndpoint).Port;

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _server.AcceptSocketAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(
                async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            await socket.SendAsync(Pattern, SocketFlags.None, ct);
                            var buffer = new byte[4096];
                            int n;
                            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                            {
                                await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
                            }
                        }
                        catch (Exception)
                        {
                            // client went away
                        }
                    }
                },
                ct);
        }
    }

    private static async Task<Socket> ConnectAsync(FaultProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return socket;
    }

    /// <summary>Reads until <paramref name="count"/> bytes, end of stream, reset or timeout; returns what arrived.</summary>
    private static async Task<(byte[] Data, bool Closed)> ReadAsync(Socket socket, int count, TimeSpan timeout)
    {
        var data = new MemoryStream();
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (data.Length < count)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - data.Length)), SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return (data.ToArray(), true);
                }

                data.Write(buffer, 0, n);
            }
        }
        catch (SocketException)
        {
            return (data.ToArray(), true);
        }
        catch (OperationCanceledException)
        {
            return (data.ToArray(), false);
        }

        return (data.ToArray(), false);
    }

    [Fact]
    public async Task Forwards_both_directions_unchanged()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", ServerPort);
        using var socket = await ConnectAsync(proxy);
        var (data, closed) = await ReadAsync(socket, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.False(closed);
        Assert.Equal(Pattern, data);
        await socket.SendAsync("hello"u8.ToArray(), SocketFlags.None);
        var (echo, _) = await ReadAsync(socket, 5, TimeSpan.FromSeconds(10));
        Assert.Equal("hello"u8.ToArray(), echo);
        Assert.Equal(Pattern.Length + 5, proxy.BytesToClient);
        Assert.Equal(5, proxy.BytesToServer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12345)]
    [InlineData(65536)]
    [InlineData(700001)]
    public async Task Cuts_after_exactly_the_armed_number_of_server_bytes(int bytes)
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", ServerPort);
        proxy.CutAfterServerBytes(bytes);
        using var socket = await ConnectAsync(proxy);
        var (data, closed) = await ReadAsync(socket, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.True(closed);
        Assert.Equal(Pattern.AsSpan(0, bytes).ToArray(), data);
        Assert.False(proxy.CutPending);

        using var again = await ConnectAsync(proxy);
        var (more, closedAgain) = await ReadAsync(again, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.False(closedAgain);
        Assert.Equal(Pattern.Length, more.Length);
    }

    [Fact]
    public async Task CutAll_closes_live_connections_and_new_ones_work()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", ServerPort);
        using var socket = await ConnectAsync(proxy);
        await ReadAsync(socket, 1000, TimeSpan.FromSeconds(10));
        proxy.CutAll();
        var (_, closed) = await ReadAsync(socket, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.True(closed);

        using var again = await ConnectAsync(proxy);
        var (data, _) = await ReadAsync(again, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.Equal(Pattern, data);
    }

    [Fact]
    public async Task Blackhole_stops_traffic_without_closing()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", ServerPort);
        using var socket = await ConnectAsync(proxy);
        await ReadAsync(socket, Pattern.Length, TimeSpan.FromSeconds(10));
        proxy.BlackholeAll();
        await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None);
        var (data, closed) = await ReadAsync(socket, 4, TimeSpan.FromMilliseconds(500));
        Assert.False(closed);
        Assert.Empty(data);
        Assert.Equal(1, proxy.ActiveConnections);

        using var fresh = await ConnectAsync(proxy);
        var (fresh1, _) = await ReadAsync(fresh, Pattern.Length, TimeSpan.FromSeconds(10));
        Assert.Equal(Pattern.Length, fresh1.Length);
    }

    [Fact]
    public async Task Delay_slows_each_chunk()
    {
        await using var proxy = FaultProxy.Start("127.0.0.1", ServerPort);
        using var socket = await ConnectAsync(proxy);
        await ReadAsync(socket, Pattern.Length, TimeSpan.FromSeconds(10));
        proxy.Delay = TimeSpan.FromMilliseconds(300);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await socket.SendAsync("x"u8.ToArray(), SocketFlags.None);
        var (echo, _) = await ReadAsync(socket, 1, TimeSpan.FromSeconds(10));
        Assert.Equal("x"u8.ToArray(), echo);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(550), $"took {started.Elapsed}");
    }

    [Fact]
    public void Refuses_non_loopback_targets() =>
        Assert.Throws<ArgumentException>(() => FaultProxy.Start("192.0.2.1", 3306));
}

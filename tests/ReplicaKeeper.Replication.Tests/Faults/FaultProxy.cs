using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ReplicaKeeper.Replication.Tests.Faults;

/// <summary>
/// A TCP proxy the tests own, between a client and a server on loopback, that injects faults:
/// cut every connection now, cut after N more bytes from the server (mid-packet, mid-event),
/// delay each chunk, or blackhole the live connections (stop forwarding without closing: a dead
/// link only a timeout can detect). New connections after a cut or blackhole work normally, so
/// a client that reconnects gets through. Listens on 127.0.0.1 only; forwards to loopback only.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int MaxConnections = 64;

    private readonly IPEndPoint _target;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, ProxiedConnection> _connections = new();
    private readonly Task _acceptLoop;
    private readonly Lock _cutLock = new();
    private long _cutAfterBytes = -1;
    private int _nextId;
    private int _accepted;
    private long _bytesToClient;
    private long _bytesToServer;

    private FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>Starts a proxy to <paramref name="targetHost"/>:<paramref name="targetPort"/>, which must be a loopback address.</summary>
    public static FaultProxy Start(string targetHost, int targetPort)
    {
        var address = IPAddress.Parse(targetHost);
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"the fault proxy forwards to loopback only, not {targetHost}", nameof(targetHost));
        }

        return new FaultProxy(new IPEndPoint(address, targetPort));
    }

    public string Host => "127.0.0.1";

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted since start.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _accepted);

    public int ActiveConnections => _connections.Count;

    /// <summary>Bytes forwarded from the server to clients since start.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>Delay applied before forwarding each chunk (both directions).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Aborts every live connection now (RST to both sides).</summary>
    public void CutAll() => CloseAll(reset: true);

    private void CloseAll(bool reset)
    {
        foreach (var connection in _connections.Values)
        {
            connection.Abort(reset);
        }
    }

    /// <summary>
    /// After <paramref name="bytes"/> more bytes have been forwarded from the server to the client
    /// (counted over all connections), forward exactly up to that byte and abort every connection.
    /// One-shot; re-arm for the next cut.
    /// </summary>
    public void CutAfterServerBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_cutLock)
        {
            _cutAfterBytes = bytes;
        }
    }

    /// <summary>True while a <see cref="CutAfterServerBytes"/> is armed and has not fired yet.</summary>
    public bool CutPending
    {
        get
        {
            lock (_cutLock)
            {
                return _cutAfterBytes >= 0;
            }
        }
    }

    /// <summary>Live connections stop forwarding in both directions but stay open (a dead link).</summary>
    public void BlackholeAll()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Blackholed = true;
        }
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            Interlocked.Increment(ref _accepted);
            if (_connections.Count >= MaxConnections)
            {
                client.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            var connection = new ProxiedConnection(this, id, client);
            _connections[id] = connection;
            _ = connection.RunAsync(ct);
        }
    }

    /// <summary>How many of <paramref name="available"/> server bytes may go out before the armed cut.</summary>
    private int TakeServerBytes(int available, out bool cutNow)
    {
        lock (_cutLock)
        {
            cutNow = false;
            if (_cutAfterBytes < 0)
            {
                return available;
            }

            if (_cutAfterBytes >= available)
            {
                _cutAfterBytes -= available;
                if (_cutAfterBytes == 0)
                {
                    _cutAfterBytes = -1;
                    cutNow = true;
                }

                return available;
            }

            var allowed = (int)_cutAfterBytes;
            _cutAfterBytes = -1;
            cutNow = true;
            return allowed;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private sealed class ProxiedConnection(FaultProxy proxy, int id, Socket client)
    {
        private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private int _aborted;

        public volatile bool Blackholed;

        public async Task RunAsync(CancellationToken ct)
        {
            try
            {
                client.NoDelay = true;
                _server.NoDelay = true;
                await _server.ConnectAsync(proxy._target, ct);
                var up = PumpAsync(client, _server, toClient: false, ct);
                var down = PumpAsync(_server, client, toClient: true, ct);
                await Task.WhenAny(up, down);
            }
            catch (Exception)
            {
                // a failed connect or pump ends this connection; the client sees it closed
            }
            finally
            {
                Abort();
                proxy._connections.TryRemove(id, out _);
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool toClient, CancellationToken ct)
        {
            var buffer = new byte[BufferSize];
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (Blackholed)
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }

                var delay = proxy.Delay;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, ct);
                }

                var cutNow = false;
                var count = toClient ? proxy.TakeServerBytes(read, out cutNow) : read;
                if (count > 0)
                {
                    Interlocked.Add(ref toClient ? ref proxy._bytesToClient : ref proxy._bytesToServer, count);
                    await to.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, ct);
                }

                if (cutNow)
                {
                    // FIN after exactly the allowed bytes (an RST could discard bytes still in flight)
                    proxy.CloseAll(reset: false);
                    return;
                }
            }
        }

        /// <summary>Closes both sockets, once: with RST (linger 0) when <paramref name="reset"/>, else gracefully (FIN after pending data).</summary>
        public void Abort(bool reset = true)
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }

            foreach (var socket in new[] { client, _server })
            {
                try
                {
                    if (reset)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }
                    else if (socket.Connected)
                    {
                        socket.Shutdown(SocketShutdown.Both);
                    }
                }
                catch (Exception)
                {
                    // not connected
                }

                socket.Dispose();
            }
        }
    }
}

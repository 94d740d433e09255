using System.Net;
using System.Net.Sockets;

namespace ReplicaKeeper.Protocol.Tests.Fakes;

/// <summary>
/// A scripted MySQL server on 127.0.0.1 for protocol edge cases: accepts one connection and runs the
/// script against it. Failures inside the script surface through <see cref="Completion"/>.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    private FakeServer(Func<FakeClient, CancellationToken, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(1);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Completion = RunAsync(script);
    }

    public int Port { get; }

    public Task Completion { get; }

    public static FakeServer Start(Func<FakeClient, CancellationToken, Task> script) => new(script);

    public ConnectionOptions Options(string user = "app", string? password = "s3cret!") => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        UserName = user,
        Password = password,
        TlsMode = TlsMode.Disabled,
        ConnectionTimeout = TimeSpan.FromSeconds(10),
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // The test asserts on Completion itself where it matters.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<FakeClient, CancellationToken, Task> script)
    {
        using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var client = new FakeClient(stream, socket);
        await script(client, _stop.Token);
    }
}

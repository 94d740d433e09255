using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Failover.Status;

namespace ReplicaKeeper.Cli.Metrics;

/// <summary>
/// The local HTTP endpoint (loopback only, no authentication): GET /metrics (Prometheus text), GET /status (JSON,
/// <see cref="StatusJson"/>), GET /health (200 while every component is up, else 503).
/// </summary>
public sealed class StatusEndpoint(HttpConfig config, DaemonMetrics metrics, Serilog.ILogger log) : BackgroundService
{
    private readonly HttpListener _listener = new();

    /// <summary>The port actually listened on (differs from the config when it asked for 0).</summary>
    public int Port { get; private set; }

    public Uri BaseUri => new($"http://{Host}:{Port}/");

    private string Host => config.Address.Contains(':', StringComparison.Ordinal) ? $"[{config.Address}]" : config.Address;

    /// <summary>Binds the listener; throws <see cref="HttpListenerException"/> when the port is taken.</summary>
    public void Bind()
    {
        if (_listener.IsListening)
        {
            return;
        }

        if (config.Port != 0)
        {
            Port = config.Port;
            _listener.Prefixes.Add($"http://{Host}:{Port}/");
            _listener.Start();
            return;
        }

        for (var attempt = 0; ; attempt++)
        {
            using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse(config.Address), 0))
            {
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://{Host}:{Port}/");
                _listener.Start();
                return;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Bind();
        log.Information("Status endpoint listening on {Url} (/metrics, /status, /health)", BaseUri);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                await ServeAsync(context, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or InvalidOperationException)
            {
                log.Debug("Status request failed: {Error}", e.Message);
            }
        }
    }

    private async Task ServeAsync(HttpListenerContext context, CancellationToken ct)
    {
        using var response = context.Response;
        var path = context.Request.Url?.AbsolutePath.TrimEnd('/') ?? "";
        (int Status, string ContentType, string Body) answer = (context.Request.HttpMethod, path) switch
        {
            ("GET", "/metrics") => (200, PrometheusText.ContentType, PrometheusText.Render(metrics)),
            ("GET", "/status") => (200, "application/json; charset=utf-8", StatusJson.Serialize(metrics.Snapshot())),
            ("GET", "/health") => metrics.Components.All(c => c.Up)
                ? (200, "text/plain; charset=utf-8", "ok\n")
                : (503, "text/plain; charset=utf-8", "down: " + string.Join(", ", metrics.Components.Where(c => !c.Up).Select(c => c.Name)) + "\n"),
            ("GET", "") => (200, "text/plain; charset=utf-8", "ReplicaKeeper daemon: /metrics /status /health\n"),
            ("GET", _) => (404, "text/plain; charset=utf-8", "not found\n"),
            _ => (405, "text/plain; charset=utf-8", "only GET\n"),
        };
        var bytes = Encoding.UTF8.GetBytes(answer.Body);
        response.StatusCode = answer.Status;
        response.ContentType = answer.ContentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        ((IDisposable)_listener).Dispose();
        base.Dispose();
    }
}

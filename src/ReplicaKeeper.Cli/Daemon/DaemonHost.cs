using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Failover.Notifications;
using Serilog;
using Serilog.Formatting.Json;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// The daemon behind <c>replicakeeper run</c>, as a generic host (systemd notify / Windows service aware) with one
/// hosted service per component: archiver, standby applier, progress monitor, archive verification, retention
/// (pinned by snapshots and the off-site copy), off-site upload, scheduled snapshots, scheduled restore drills, alerts and the daily report,
/// and the local HTTP endpoint (/metrics, /status, /health). Build it with <see cref="Build"/> to run it in-process
/// (the demo does): <c>await using var daemon = DaemonHost.Build(config); await daemon.StartAsync(ct);</c>.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly Serilog.Core.Logger? _ownedLogger;
    private readonly StatusEndpoint? _endpoint;
    private readonly DaemonConfig _config;

    private DaemonHost(IHost host, DaemonConfig config, DaemonMetrics metrics, StatusEndpoint? endpoint, Serilog.Core.Logger? ownedLogger)
    {
        _host = host;
        _config = config;
        Metrics = metrics;
        _endpoint = endpoint;
        _ownedLogger = ownedLogger;
    }

    /// <summary>Live state of every component (what /status and /metrics show).</summary>
    public DaemonMetrics Metrics { get; }

    /// <summary>The generic host (for <c>WaitForShutdownAsync</c>, lifetime events).</summary>
    public IHost Host => _host;

    /// <summary>http://127.0.0.1:PORT/ of the status endpoint once started (null when Http is disabled).</summary>
    public Uri? StatusBaseUri => _endpoint is { Port: > 0 } e ? e.BaseUri : null;

    /// <summary>
    /// Builds the daemon; nothing runs until <see cref="StartAsync"/>. With <paramref name="logger"/> null the daemon logs
    /// per <see cref="DaemonConfig.Logging"/> (console + rolling JSON files); otherwise into the given logger.
    /// </summary>
    public static DaemonHost Build(DaemonConfig config, Serilog.ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var metrics = new DaemonMetrics(time ?? TimeProvider.System)
        {
            ArchiveConfigured = true,
            StandbyConfigured = config.Standby is not null,
        };
        Serilog.Core.Logger? owned = null;
        Serilog.ILogger log;
        if (logger is null)
        {
            owned = CreateLogger(config.Logging);
            log = owned;
        }
        else
        {
            owned = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Logger(logger).CreateLogger();
            log = owned;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSerilog(log, dispose: false);
        builder.Services.AddSystemd();
        if (OperatingSystem.IsWindows())
        {
            builder.Services.AddWindowsService(o => o.ServiceName = "ReplicaKeeper");
        }

        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        builder.Services.AddHostedService(_ => new RunMarker(config.StateDirectory, metrics, log));
        StatusEndpoint? endpoint = null;
        if (config.Http.Enabled)
        {
            endpoint = new StatusEndpoint(config.Http, metrics, log);
            builder.Services.AddHostedService(_ => endpoint);
        }

        builder.Services.AddHostedService(_ => new ArchiverService(config, metrics, log));
        StandbyService? standby = null;
        if (config.Standby is not null)
        {
            standby = new StandbyService(config, metrics, log);
            builder.Services.AddHostedService(_ => standby);
        }

        builder.Services.AddHostedService(_ => new ProgressMonitor(config, metrics, standby, log));
        builder.Services.AddHostedService(_ => new VerifyService(config, metrics, log));
        if (config.Archive.Retention is not null)
        {
            builder.Services.AddHostedService(_ => new RetentionService(config, metrics, log));
        }

        if (config.Archive.Offsite is not null)
        {
            builder.Services.AddHostedService(_ => new OffsiteService(config, metrics, log));
        }

        if (config.Snapshots is not null)
        {
            builder.Services.AddHostedService(_ => new SnapshotService(config, metrics, log));
        }

        if (config.Drills is not null)
        {
            builder.Services.AddHostedService(_ => new DrillService(config, metrics, log));
        }

        builder.Services.AddHostedService(_ => new AlertService(config, metrics, Notifiers(config.Notifications), log));
        return new DaemonHost(builder.Build(), config, metrics, endpoint, owned);
    }

    /// <summary>Binds the status endpoint (fails fast when the port is taken, before any component starts), then starts every component.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _endpoint?.Bind();
        var log = _host.Services.GetRequiredService<Serilog.ILogger>();
        log.Information("ReplicaKeeper daemon starting: source {Source}, archive {Archive}, standby {Standby}",
            _config.Source.Connection.ToString(), _config.Archive.Directory, _config.Standby is { } s ? Redact(s.ConnectionStringWithSecret) : "(none)");
        await _host.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _host.StopAsync(cancellationToken);

    /// <summary>Starts, runs until SIGTERM / Ctrl+C / service stop or <paramref name="cancellationToken"/>, then stops cleanly.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await _host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }

        if (_ownedLogger is not null)
        {
            await _ownedLogger.DisposeAsync().ConfigureAwait(false);
        }

        _config.Archive.Key?.Dispose();
    }

    /// <summary>A connection string with its password replaced, for logs.</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (key.Equals("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
                {
                    builder[key] = "***";
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }

    private static Serilog.Core.Logger CreateLogger(LoggingConfig logging)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(logging.Level)
            .Enrich.FromLogContext();
        if (logging.Console)
        {
            configuration = configuration.WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} [{Component}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        if (logging.Directory is { } directory)
        {
            Directory.CreateDirectory(directory);
            configuration = configuration.WriteTo.File(
                new JsonFormatter(renderMessage: true),
                Path.Combine(directory, "replicakeeper-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: logging.RetainedFiles);
        }

        return configuration.CreateLogger();
    }

    private static List<INotifier> Notifiers(NotificationsConfig notifications)
    {
        var list = new List<INotifier>();
        if (notifications.Smtp is { } smtp)
        {
            list.Add(new SmtpNotifier(smtp));
        }

        if (notifications.Webhook is { } url)
        {
            list.Add(new WebhookNotifier(SharedHttp, url));
        }

        return list;
    }

    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
}

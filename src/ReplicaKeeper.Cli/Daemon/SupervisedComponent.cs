using Microsoft.Extensions.Hosting;
using ReplicaKeeper.Cli.Metrics;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// A long-running component (archiver, applier) that is restarted after a failure with exponential backoff
/// (1 s doubling to 60 s); while it waits it is down in /status and /metrics, and its error is counted.
/// </summary>
internal abstract class SupervisedComponent(string name, DaemonMetrics metrics, Serilog.ILogger log) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    protected DaemonMetrics Metrics { get; } = metrics;

    protected ComponentHealth Health { get; } = metrics.Component(name);

    protected Serilog.ILogger Log { get; } = log.ForContext(LogProperties.Component, name);

    /// <summary>Runs until cancelled or until it fails.</summary>
    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = Metrics.Time.GetUtcNow();
            Health.MarkUp(started);
            try
            {
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                Health.MarkDown(Metrics.Time.GetUtcNow(), "stopped unexpectedly without an error");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a supervisor must survive any failure of its component and restart it
            catch (Exception e)
#pragma warning restore CA1031
            {
                Health.MarkDown(Metrics.Time.GetUtcNow(), e.Message);
                Log.Error(e, "{Component} failed: {Error}; restarting in {Delay}", name, e.Message, backoff);
            }

            if (Metrics.Time.GetUtcNow() - started > TimeSpan.FromMinutes(5))
            {
                backoff = TimeSpan.FromSeconds(1);
            }

            try
            {
                await Task.Delay(backoff, Metrics.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            Health.RecordRestart();
            Log.Information("Restarting {Component}", name);
        }
    }
}

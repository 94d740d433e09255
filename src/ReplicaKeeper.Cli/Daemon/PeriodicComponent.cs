using Microsoft.Extensions.Hosting;
using ReplicaKeeper.Cli.Metrics;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// A job run at a fixed interval (retention, verification, off-site upload, snapshots, monitoring). A failed run is
/// logged and counted, marks the component down until the next run succeeds, and never stops the daemon.
/// </summary>
internal abstract class PeriodicComponent(string name, TimeSpan interval, DaemonMetrics metrics, Serilog.ILogger log, TimeSpan? firstRunAfter = null) : BackgroundService
{
    protected DaemonMetrics Metrics { get; } = metrics;

    protected ComponentHealth Health { get; } = metrics.Component(name);

    protected Serilog.ILogger Log { get; } = log.ForContext(LogProperties.Component, name);

    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Health.MarkUp(Metrics.Time.GetUtcNow());
        try
        {
            await Task.Delay(firstRunAfter ?? TimeSpan.Zero, Metrics.Time, stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(interval, Metrics.Time);
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                    Health.MarkUp(Metrics.Time.GetUtcNow());
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // one failed run must not stop the schedule
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Health.MarkDown(Metrics.Time.GetUtcNow(), e.Message);
                    Log.Error(e, "{Component} run failed: {Error}; next run in {Interval}", name, e.Message, interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.Hosting;
using ReplicaKeeper.Cli.Metrics;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Tells a crash from a clean stop: a marker file exists while the daemon runs and is removed on a clean shutdown. A
/// marker found at start means the previous run was killed (kill -9, power loss); such runs are counted in a file.
/// </summary>
internal sealed class RunMarker(string stateDirectory, DaemonMetrics metrics, Serilog.ILogger log) : IHostedService
{
    private string MarkerPath => Path.Combine(stateDirectory, "running");

    private string CounterPath => Path.Combine(stateDirectory, "unclean-restarts");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(stateDirectory);
        long unclean = 0;
        if (File.Exists(CounterPath)
            && long.TryParse(await File.ReadAllTextAsync(CounterPath, cancellationToken).ConfigureAwait(false), NumberStyles.Integer, CultureInfo.InvariantCulture, out var counted))
        {
            unclean = counted;
        }

        if (File.Exists(MarkerPath))
        {
            unclean++;
            metrics.PreviousRunCrashed = true;
            log.Warning("The previous run ({Previous}) ended without a clean shutdown; the archive recovers to its last durable transaction",
                (await File.ReadAllTextAsync(MarkerPath, cancellationToken).ConfigureAwait(false)).Trim());
            await File.WriteAllTextAsync(CounterPath, unclean.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        metrics.UncleanRestarts = unclean;
        await File.WriteAllTextAsync(MarkerPath, string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} started {metrics.StartedAt:u}"), cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        File.Delete(MarkerPath);
        return Task.CompletedTask;
    }
}

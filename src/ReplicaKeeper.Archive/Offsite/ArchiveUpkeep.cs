using ReplicaKeeper.Archive.Retention;
using Serilog;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// What runs beside the live archiver on a timer: an off-site upload pass (newly sealed segments, then
/// the manifest), then retention (with its pins, which should include <see cref="OffsiteRetentionPin"/>
/// when a store is set, so nothing is deleted before it is copied). A failed pass is logged and tried
/// again at the next tick; the archiver itself is never stopped by it.
/// </summary>
public sealed class ArchiveUpkeep
{
    private readonly ArchiveLayout _layout;
    private readonly IOffsiteStore? _store;
    private readonly ArchiveRetention? _retention;
    private readonly ILogger _logger;

    public ArchiveUpkeep(ArchiveLayout layout, IOffsiteStore? store, ArchiveRetention? retention, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _store = store;
        _retention = retention;
        _logger = logger ?? Serilog.Core.Logger.None;
    }

    public bool HasWork => _store is not null || _retention is not null;

    /// <summary>One upload pass and one retention pass; false when either failed (already logged).</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var ok = true;
        if (_store is not null)
        {
            try
            {
                var result = await new OffsiteUploader(_layout, _store, _logger).UploadAsync(cancellationToken);
                if (result.Uploaded.Count > 0)
                {
                    _logger.Information("Off-site: {Count} object(s) copied, manifest at {Lines} lines", result.Uploaded.Count, result.ManifestLines);
                }
            }
            catch (OffsiteException ex)
            {
                _logger.Warning("Off-site upload failed, retrying at the next pass: {Problem}", ex.Message);
                ok = false;
            }
        }

        if (_retention is not null)
        {
            try
            {
                var plan = await _retention.ApplyAsync(cancellationToken);
                foreach (var segment in plan.Delete)
                {
                    _logger.Information("Retention deleted {Segment}", segment);
                }
            }
            catch (IOException ex)
            {
                _logger.Warning("Retention failed, retrying at the next pass: {Problem}", ex.Message);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Runs a pass every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await RunOnceAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}

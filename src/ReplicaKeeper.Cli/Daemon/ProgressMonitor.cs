using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Metrics;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Once a second: the archive's durable end and lag (from state.json, written by the archiver at most once a second)
/// and the standby's applied position (its replicakeeper.applied_position row) and apply rate.
/// </summary>
internal sealed class ProgressMonitor(DaemonConfig config, DaemonMetrics metrics, StandbyService? standby, Serilog.ILogger log)
    : PeriodicComponent("monitor", TimeSpan.FromSeconds(1), metrics, log)
{
    private readonly ArchiveLayout _layout = new(config.Archive.Directory);
    private readonly Queue<(DateTimeOffset At, long Applied)> _rateWindow = new();
    private MySqlConnection? _standbyConnection;
    private DateTimeOffset _lastRescan = DateTimeOffset.MinValue;
    private DurablePosition? _rescanned;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        await ReadArchiveAsync(stoppingToken).ConfigureAwait(false);
        if (config.Standby is { } settings && standby is not null)
        {
            ReadRate(standby.TransactionsApplied);
            ReadLag(standby);
            await ReadAppliedAsync(settings, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ReadArchiveAsync(CancellationToken ct)
    {
        ArchiveState? state;
        try
        {
            state = await ArchiveState.ReadAsync(_layout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return; // being replaced right now; next second
        }

        if (state is null)
        {
            return;
        }

        // state.json is rewritten at most once a second and only when the durable end advances, so after the last
        // transactions of a burst it can stay behind; when it is stale, rescan the open segment (cheap when idle).
        if (Metrics.Time.GetUtcNow() - state.UpdatedAt > TimeSpan.FromSeconds(2) && Metrics.Time.GetUtcNow() - _lastRescan > TimeSpan.FromSeconds(5))
        {
            _lastRescan = Metrics.Time.GetUtcNow();
            if (await RescannedDurableAsync(ct).ConfigureAwait(false) is { } rescanned)
            {
                _rescanned = rescanned;
            }
        }

        if (_rescanned is { } fresher && state.Durable is { } reported && fresher.File == reported.File && fresher.Offset > reported.Offset)
        {
            state = state with { Durable = fresher };
        }

        // a first connect after failed attempts logs no "Reconnected": a durable advance after the failure proves the link works
        var archiver = Metrics.Component(DaemonMetrics.Archiver);
        if (archiver.LinkDownSince is { } down && state.UpdatedAt > down + TimeSpan.FromSeconds(1))
        {
            archiver.LinkHealthy();
        }

        Metrics.ArchiveState = state;
        var durable = state.Durable;
        Metrics.ArchiveLagBytes = durable is not null && state.MasterFile == durable.File && state.MasterPosition is { } master
            ? Math.Max(0, master - durable.Offset)
            : null;
        Metrics.ArchiveLagSeconds = state.MasterEventTime is { } masterTime && durable?.LastTransactionTime is { } durableTime
            ? Math.Max(0, (masterTime - durableTime).TotalSeconds)
            : null;
    }

    private async Task<DurablePosition?> RescannedDurableAsync(CancellationToken ct)
    {
        try
        {
            return (await ArchiveStatus.ReadAsync(_layout, ct).ConfigureAwait(false)).Durable;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private void ReadRate(long applied)
    {
        var now = Metrics.Time.GetUtcNow();
        Metrics.TransactionsApplied = applied;
        _rateWindow.Enqueue((now, applied));
        while (_rateWindow.Count > 1 && now - _rateWindow.Peek().At > TimeSpan.FromSeconds(30))
        {
            _rateWindow.Dequeue();
        }

        var first = _rateWindow.Peek();
        var seconds = (now - first.At).TotalSeconds;
        Metrics.ApplyRate = seconds >= 1 ? (applied - first.Applied) / seconds : null;
    }

    private void ReadLag(StandbyService standby)
    {
        var health = Metrics.Component(DaemonMetrics.Standby);
        Metrics.AppliedSourceTime = standby.LastCommittedSourceTime;
        Metrics.ApplierLagSeconds = ApplierLag.Seconds(
            standby.IsCaughtUp,
            health.Up && health.LinkDownSince is null,
            Metrics.AppliedSourceTime,
            standby.OldestPendingSourceTime,
            Metrics.ArchiveState?.MasterEventTime,
            Metrics.Time.GetUtcNow());
    }

    private async Task ReadAppliedAsync(StandbyConfig settings, CancellationToken ct)
    {
        try
        {
            if (_standbyConnection is null)
            {
                var connection = new MySqlConnection(settings.ConnectionStringWithSecret);
                await connection.OpenAsync(ct).ConfigureAwait(false);
                _standbyConnection = connection;
            }

            var applied = await PositionStore.ReadAsync(_standbyConnection, settings.Channel, ct).ConfigureAwait(false);
            if (applied is not null)
            {
                Metrics.AppliedPosition = applied.Position.ToString();
                Metrics.AppliedOffset = applied.Position.File is { } file ? (long)file.Offset : null;
                Metrics.LastAppliedAt = new DateTimeOffset(DateTime.SpecifyKind(applied.UpdatedAt, DateTimeKind.Utc));
            }
        }
        catch (MySqlException)
        {
            // the standby is restarting: the applier reports that; read again next second
            if (_standbyConnection is not null)
            {
                await _standbyConnection.DisposeAsync().ConfigureAwait(false);
                _standbyConnection = null;
            }
        }
    }

    public override void Dispose()
    {
        _standbyConnection?.Dispose();
        base.Dispose();
    }
}

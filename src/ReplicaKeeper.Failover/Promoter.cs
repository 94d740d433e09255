using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Failover.Fencing;
using ReplicaKeeper.Failover.Gates;
using ReplicaKeeper.Failover.Reporting;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Failover;

/// <summary>
/// Promotes the standby to master: evaluates the gates (master down, standby caught up with the archive, no errant
/// transactions), fences the old master, makes the standby writable and reports the new master's coordinates.
/// Nothing is changed when a gate fails or on a dry run.
/// </summary>
public sealed class Promoter(PromotionOptions options)
{
    private readonly PromotionOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly List<PromotionStep> _steps = [];
    private readonly List<GateResult> _gates = [];
    private readonly Stopwatch _total = new();
    private DateTimeOffset _startedAt;
    private FenceResult? _fence;

    public async Task<PromotionReport> RunAsync(CancellationToken ct)
    {
        _options.Validate();
        _startedAt = DateTimeOffset.UtcNow;
        _total.Restart();
        var log = _options.Logger;

        var (masterDown, masterReachable) = await PromotionGates.MasterDownAsync(_options, ct).ConfigureAwait(false);
        AddGate(masterDown);
        if (!masterDown.Passed)
        {
            return Finish(PromotionOutcome.Refused, masterDown.Detail);
        }

        MySqlConnection standby;
        ServerFlavor flavor;
        try
        {
            (standby, flavor) = await StandbyConnections.OpenAsync(_options.StandbyConnectionString, ct).ConfigureAwait(false);
        }
        catch (MySqlException e)
        {
            return Finish(PromotionOutcome.Failed, $"cannot connect to the standby: {e.Message}");
        }

        await using (standby.ConfigureAwait(false))
        {
            var clock = Stopwatch.StartNew();
            var durable = (await ArchiveStatus.ReadAsync(new ArchiveLayout(_options.ArchiveDirectory), ct).ConfigureAwait(false)).Durable;
            var applied = await PositionStore.ReadAsync(standby, _options.Channel, ct).ConfigureAwait(false);
            AddGate(PromotionGates.StandbyCaughtUp(applied, durable, clock.Elapsed));
            AddGate(await PromotionGates.NoErrantTransactionsAsync(standby, flavor, applied, durable, ct).ConfigureAwait(false));
            if (_gates.FirstOrDefault(g => !g.Passed) is { } failed)
            {
                log.Warning("Promotion refused by gate {Gate}: {Detail}", failed.Name, failed.Detail);
                return Finish(PromotionOutcome.Refused, $"refused by gate {failed.Name}: {failed.Detail}");
            }

            if (_options.DryRun)
            {
                return Finish(PromotionOutcome.DryRunPassed, "dry run: every gate passes; nothing was changed");
            }

            _fence = await FenceAsync(masterReachable, ct).ConfigureAwait(false);
            Step("fence old master", _fence.Elapsed, _fence.Detail);
            if (!_fence.Succeeded)
            {
                return Finish(PromotionOutcome.FenceFailed, $"fencing the old master failed ({_fence.Detail}); the standby was NOT made writable. Fence the old master by hand, then run promote again with --force.");
            }

            if (_fence.Method == FenceMethod.ReadOnly)
            {
                var caughtUp = await WaitForFencedMasterAsync(standby, flavor, ct).ConfigureAwait(false);
                AddGate(caughtUp);
                if (!caughtUp.Passed)
                {
                    return Finish(PromotionOutcome.Refused, $"the old master is fenced (read-only) but {caughtUp.Detail}. Run promote again once the applier caught up, or make the old master writable again (SET GLOBAL read_only = OFF).");
                }
            }

            clock.Restart();
            await MakeWritableAsync(standby, flavor, ct).ConfigureAwait(false);
            Step("make standby writable", clock.Elapsed, flavor == ServerFlavor.MySql ? "SET GLOBAL super_read_only = OFF, read_only = OFF" : "SET GLOBAL read_only = OFF");

            clock.Restart();
            var position = await SourcePositionReader.ReadCurrentAsync(standby, flavor, ct).ConfigureAwait(false);
            var coordinates = new NewMasterCoordinates(position.File?.File, position.File?.Offset, position.MySqlGtids?.ToString(), position.MariaDbGtids?.ToString());
            Step("read new master coordinates", clock.Elapsed, $"{position}");
            log.Information("Standby promoted; new master at {Position}", position.ToString());
            return Finish(PromotionOutcome.Promoted, "the standby is the new master (writable)", coordinates);
        }
    }

    private async Task<FenceResult> FenceAsync(bool masterReachable, CancellationToken ct)
    {
        if (masterReachable)
        {
            try
            {
                return await Fencer.SetReadOnlyAsync(_options.MasterConnectionString, _options.KillMasterConnections, ct).ConfigureAwait(false);
            }
            catch (MySqlException e)
            {
                if (_options.FenceCommand is null)
                {
                    return new FenceResult(FenceMethod.ReadOnly, false, $"could not set the master read-only: {e.Message}", TimeSpan.Zero);
                }

                // it went away between the probe and now: fall through to the command
            }
        }

        if (_options.FenceCommand is { } command)
        {
            return await Fencer.RunCommandAsync(command, _options.MasterConnectionString, _options.FenceCommandTimeout, ct).ConfigureAwait(false);
        }

        return new FenceResult(FenceMethod.Unfenced, true, "the master is unreachable and no --fence-command is configured: NOT fenced. Make sure it cannot come back writable (start it with read_only=ON).", TimeSpan.Zero);
    }

    /// <summary>A reachable master may have committed after the gates ran: wait until the standby applied its final position.</summary>
    private async Task<GateResult> WaitForFencedMasterAsync(MySqlConnection standby, ServerFlavor flavor, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        StandbyPosition final;
        var (master, _) = await StandbyConnections.OpenAsync(_options.MasterConnectionString, ct).ConfigureAwait(false);
        await using (master.ConfigureAwait(false))
        {
            final = await SourcePositionReader.ReadCurrentAsync(master, flavor, ct).ConfigureAwait(false);
        }

        AppliedPosition? applied;
        while (true)
        {
            applied = await PositionStore.ReadAsync(standby, _options.Channel, ct).ConfigureAwait(false);
            if (applied is not null && applied.Position.Covers(final))
            {
                return new GateResult(GateResult.CaughtUpWithFencedMaster, true, $"applied {applied.Position} covers the fenced master's final {final}", clock.Elapsed);
            }

            if (clock.Elapsed >= _options.CatchUpTimeout)
            {
                return new GateResult(GateResult.CaughtUpWithFencedMaster, false, $"the standby applied {applied?.Position.ToString() ?? "(nothing)"}, short of the fenced master's final {final} after {_options.CatchUpTimeout.TotalSeconds:0} s", clock.Elapsed);
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static async Task MakeWritableAsync(MySqlConnection standby, ServerFlavor flavor, CancellationToken ct)
    {
        if (flavor == ServerFlavor.MySql)
        {
            await standby.ExecuteAsync("SET GLOBAL super_read_only = OFF", ct).ConfigureAwait(false);
        }

        await standby.ExecuteAsync("SET GLOBAL read_only = OFF", ct).ConfigureAwait(false);
        if (await standby.ScalarTextAsync("SELECT @@GLOBAL.read_only", ct).ConfigureAwait(false) != "0")
        {
            throw new InvalidOperationException("the standby still reports read_only = 1 after SET GLOBAL read_only = OFF");
        }
    }

    private void AddGate(GateResult gate)
    {
        _gates.Add(gate);
        Step("gate " + gate.Name, gate.Elapsed, (gate.Passed ? "passed: " : "FAILED: ") + gate.Detail);
    }

    private void Step(string name, TimeSpan elapsed, string detail) => _steps.Add(new PromotionStep(name, elapsed.TotalMilliseconds, detail));

    private PromotionReport Finish(PromotionOutcome outcome, string reason, NewMasterCoordinates? coordinates = null) =>
        new(outcome, reason, _startedAt, _total.Elapsed.TotalMilliseconds, [.. _gates], _fence, [.. _steps], coordinates);
}

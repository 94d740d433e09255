using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Failover.Probing;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Failover.Gates;

/// <summary>
/// The checks that must pass before a standby becomes the master: the master is really down, the standby has applied
/// everything the archive holds durably, and the standby has no transactions of its own.
/// </summary>
public static class PromotionGates
{
    /// <summary>Gate (a): N consecutive failed probes. Returns the gate and whether the master answered at all.</summary>
    public static async Task<(GateResult Gate, bool MasterReachable)> MasterDownAsync(PromotionOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        if (options.Force)
        {
            var probe = await MasterProbe.ProbeOnceAsync(options.MasterConnectionString, options.ProbeTimeout, ct).ConfigureAwait(false);
            return (new GateResult(GateResult.MasterDown, true, $"skipped (--force); master {(probe.Alive ? "is reachable and will be fenced" : "is not reachable: " + probe.Detail)}", clock.Elapsed), probe.Alive);
        }

        var probes = await MasterProbe.ProbeAsync(options.MasterConnectionString, options.Probes, options.ProbeInterval, options.ProbeTimeout, ct).ConfigureAwait(false);
        if (probes[^1].Alive)
        {
            return (new GateResult(GateResult.MasterDown, false, $"the master answered probe {probes.Count} of {options.Probes} ({probes[^1].Detail}); it is not down. Use --force for a planned switchover (the master is fenced first).", clock.Elapsed), true);
        }

        return (new GateResult(GateResult.MasterDown, true, $"{probes.Count} consecutive probes failed, last: {probes[^1].Detail}", clock.Elapsed), false);
    }

    /// <summary>The archive's durable end as a standby position (GTIDs of the archive's flavour, and file/offset).</summary>
    public static StandbyPosition ToStandbyPosition(DurablePosition durable)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var file = new BinlogPosition(durable.File, (ulong)durable.Offset);
        if (durable.Gtids is null)
        {
            return new StandbyPosition(null, null, file);
        }

        return durable.IsMariaDb
            ? new StandbyPosition(null, MariaDbGtidList.Parse(durable.Gtids), file)
            : new StandbyPosition(GtidSet.Parse(durable.Gtids), null, file);
    }

    /// <summary>Gate (b): the applied position covers the archive's durable position.</summary>
    public static GateResult StandbyCaughtUp(AppliedPosition? applied, DurablePosition? durable, TimeSpan elapsed)
    {
        if (durable is null)
        {
            return new GateResult(GateResult.StandbyCaughtUp, false, "the archive holds nothing durable; check --archive (is the archiver running against this master?)", elapsed);
        }

        var archived = ToStandbyPosition(durable);
        if (applied is null)
        {
            return new GateResult(GateResult.StandbyCaughtUp, false, $"the standby has no applied position (replicakeeper.applied_position is empty); the archive holds up to {archived}", elapsed);
        }

        if (!applied.Position.Covers(archived))
        {
            return new GateResult(GateResult.StandbyCaughtUp, false, $"the standby lags: it applied {applied.Position} (last {applied.LastTransaction ?? "?"}) but the archive holds up to {archived}{Missing(applied.Position, archived)}; wait for the applier to catch up", elapsed);
        }

        return new GateResult(GateResult.StandbyCaughtUp, true, $"applied {applied.Position} covers the archive's durable {archived}", elapsed);
    }

    private static string Missing(StandbyPosition applied, StandbyPosition archived)
    {
        if (archived.MySqlGtids is { } want && applied.MySqlGtids is { } have)
        {
            return $" (missing {want.Except(have)})";
        }

        if (archived.MariaDbGtids is { } wantList && applied.MariaDbGtids is { } haveList)
        {
            return $" (missing up to {string.Join(",", wantList.Gtids.Where(g => !haveList.Covers(g)))})";
        }

        return "";
    }

    /// <summary>Gate (c): no errant transactions on the standby.</summary>
    public static async Task<GateResult> NoErrantTransactionsAsync(MySqlConnection standby, ServerFlavor flavor, AppliedPosition? applied, DurablePosition? durable, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(standby);
        var clock = Stopwatch.StartNew();
        var history = SourceHistory(applied, durable);
        var problems = new List<string>();
        if (flavor == ServerFlavor.MySql)
        {
            var executed = GtidSet.Parse(await standby.ScalarTextAsync("SELECT @@GLOBAL.gtid_executed", ct).ConfigureAwait(false) ?? "");
            var uuid = Guid.Parse(await standby.ScalarTextAsync("SELECT @@server_uuid", ct).ConfigureAwait(false) ?? throw new InvalidOperationException("no @@server_uuid"));
            var foreign = ErrantTransactions.ForeignGtids(executed, uuid, history.MySqlGtids ?? GtidSet.Empty);
            if (!foreign.IsEmpty)
            {
                problems.Add($"GTIDs from neither the standby nor the master's history: {foreign}");
            }
        }

        var binlogOn = await standby.ScalarTextAsync("SELECT @@GLOBAL.log_bin", ct).ConfigureAwait(false) == "1";
        if (!binlogOn)
        {
            return new GateResult(GateResult.NoErrantTransactions, problems.Count == 0,
                problems.Count == 0 ? "the standby has no binlog: only GTID origins checked" : string.Join("; ", problems), clock.Elapsed);
        }

        var transactions = await StandbyBinlogReader.ReadAsync(standby, ct).ConfigureAwait(false);
        var errant = ErrantTransactions.InBinlog(transactions, gtid => IsSourceGtid(gtid, history));
        if (errant.Count > 0)
        {
            var shown = string.Join("; ", errant.Take(5).Select(t => $"{t.Gtid ?? "(no gtid)"} at {t.File}:{t.Position}{(t.Statement is null ? "" : " " + Shorten(t.Statement))}"));
            problems.Add($"{errant.Count} transaction(s) on the standby not written by the applier: {shown}{(errant.Count > 5 ? "; ..." : "")}");
        }

        return problems.Count == 0
            ? new GateResult(GateResult.NoErrantTransactions, true, $"{transactions.Count} standby binlog transaction(s) checked, none errant", clock.Elapsed)
            : new GateResult(GateResult.NoErrantTransactions, false, "errant transactions on the standby: " + string.Join("; ", problems) + ". Inspect them (SHOW BINLOG EVENTS on the standby) and remove or re-seed before promoting.", clock.Elapsed);
    }

    private static StandbyPosition SourceHistory(AppliedPosition? applied, DurablePosition? durable)
    {
        var archived = durable is null ? null : ToStandbyPosition(durable);
        var mysql = (applied?.Position.MySqlGtids, archived?.MySqlGtids) switch
        {
            ({ } a, { } b) => a.Union(b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => null,
        };
        var mariaDb = applied?.Position.MariaDbGtids ?? archived?.MariaDbGtids;
        if (applied?.Position.MariaDbGtids is { } appliedList && archived?.MariaDbGtids is { } archivedList)
        {
            mariaDb = archivedList.Gtids.Aggregate(appliedList, (list, g) => list.Covers(g) ? list : list.With(g));
        }

        return new StandbyPosition(mysql, mariaDb, null);
    }

    private static bool IsSourceGtid(string gtid, StandbyPosition history)
    {
        if (history.MySqlGtids is { } set && Gtid.TryParse(gtid, out var mysql))
        {
            return set.Contains(mysql);
        }

        return history.MariaDbGtids is { } list && MariaDbGtid.TryParse(gtid, out var mariaDb)
            && list.TryGet(mariaDb.DomainId, out var last) && last.ServerId == mariaDb.ServerId && mariaDb.Sequence <= last.Sequence;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

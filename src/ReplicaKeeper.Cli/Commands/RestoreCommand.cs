using System.CommandLine;
using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Sql;
using Spectre.Console;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper restore</c>: point-in-time restore into a target instance: the newest snapshot at or before the
/// target, then the archived transactions after it (see <see cref="PointInTimeRestore"/>), with a progress bar and ETA
/// on a terminal and plain lines otherwise; prints the snapshot it started from and what it restored to.
/// </summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var target = new Option<string>("--target") { Description = "Connection string of the instance to restore into", Required = true };
        var toTime = new Option<string?>("--to-time") { Description = "Restore every transaction committed at or before this time (microseconds; UTC unless an offset is given)" };
        var toGtid = new Option<string?>("--to-gtid") { Description = "Restore up to and including this transaction" };
        var beforeGtid = new Option<string?>("--before-gtid") { Description = "Restore everything before this transaction" };
        var toPosition = new Option<string?>("--to-position") { Description = "FILE:POS — restore the transactions that start before it" };
        var latest = new Option<bool>("--latest") { Description = "Restore everything the archive holds" };
        var skip = new Option<string[]>("--skip-gtid") { Description = "Leave this transaction out (repeatable)", AllowMultipleArgumentsPerToken = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "The target holds data: drop its schemas and GTID history first" };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var noSnapshot = new Option<bool>("--no-snapshot") { Description = "Do not start from a snapshot: replay the archive from its first segment" };
        var onConflict = new Option<ConflictPolicy>("--on-conflict")
        {
            Description = "When a replayed row change does not fit (e.g. after --skip-gtid): stop (default), skip, or overwrite",
            DefaultValueFactory = _ => ConflictPolicy.Stop,
        };
        var fromStart = new Option<bool>("--from-archive-start") { Description = "Without a snapshot, replay from the first segment even if it is not the master's first binlog (the target must already hold what came before)" };
        var command = new Command("restore", "Point-in-time restore: load the newest snapshot before the target into an empty instance, then replay the archive after it, stopping exactly at the target.");
        foreach (var option in new Option[] { archive, target, toTime, toGtid, beforeGtid, toPosition, latest, skip, overwrite, keyFile, noSnapshot, fromStart, onConflict })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var chosen = new List<RestoreTarget>();
                if (parse.GetValue(toTime) is { } t)
                {
                    chosen.Add(RestoreTarget.ToTime(RestoreTarget.ParseTime(t)));
                }

                if (parse.GetValue(toGtid) is { } g)
                {
                    chosen.Add(RestoreTarget.ToGtid(g));
                }

                if (parse.GetValue(beforeGtid) is { } b)
                {
                    chosen.Add(RestoreTarget.BeforeGtid(b));
                }

                if (parse.GetValue(toPosition) is { } p)
                {
                    chosen.Add(RestoreTarget.ToPosition(RestoreTarget.ParsePosition(p)));
                }

                if (parse.GetValue(latest))
                {
                    chosen.Add(RestoreTarget.Latest);
                }

                if (chosen.Count != 1)
                {
                    error.WriteLine("restore: give exactly one of --to-time, --to-gtid, --before-gtid, --to-position, --latest");
                    return 2;
                }

                var connection = parse.GetValue(target)!;
                using var key = ArchiveKey.Load(parse.GetValue(keyFile));
                var source = await ArchiveSource.OpenAsync(parse.GetValue(archive)!, key, ct);
                var restore = new PointInTimeRestore(source);
                output.WriteLine($"checking {source.Segments.Count} archived segment(s) ...");
                var options = new RestoreOptions { UseSnapshots = !parse.GetValue(noSnapshot), AllowArchiveWithoutBase = parse.GetValue(fromStart), OnConflict = parse.GetValue(onConflict) };
                var plan = await restore.PlanAsync(chosen[0], parse.GetValue(skip) ?? [], options, ct);
                output.WriteLine(plan.Snapshot is { } snapshot
                    ? $"starting from snapshot {snapshot.Id} (taken {snapshot.TakenAt:yyyy-MM-dd HH:mm:ss} UTC, source {snapshot.Position}; {plan.SnapshotChoice})"
                    : $"starting from an empty target: {plan.SnapshotChoice}");
                output.WriteLine($"replaying {plan.Segments.Count} segment(s) from {plan.Segments[0].Name}, {plan.TotalBytes / 1048576.0:F1} MiB, to {plan.Target}");

                var schemas = await TargetInstance.UserSchemasAsync(connection, ct);
                if (schemas.Count > 0)
                {
                    if (!parse.GetValue(overwrite))
                    {
                        error.WriteLine($"restore: the target is not empty (schemas: {string.Join(", ", schemas)}); restore into an empty scratch instance, or pass --overwrite to drop them");
                        return 3;
                    }

                    await TargetInstance.ResetAsync(connection, ct);
                }

                var result = Console.IsOutputRedirected || output != Console.Out
                    ? await ReplayWithLinesAsync(restore, plan, connection, output, ct)
                    : await ReplayWithBarAsync(restore, plan, connection, ct);
                output.WriteLine(result.Describe());
                ReportDisabledEvents(result, output);

                return 0;
            }
            catch (SnapshotFormatException ex)
            {
                error.WriteLine("restore refused: " + ex.Message);
                return 4;
            }
            catch (ArchiveGapException ex)
            {
                error.WriteLine("restore refused, nothing was written to the target: " + ex.Message);
                return 4;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or ArchiveKeyException or MySqlException or InvalidOperationException or NotSupportedException)
            {
                error.WriteLine("restore: " + ex.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Events come out of a snapshot DISABLED, and events created by the replay stay disabled as on a replica
    /// (SLAVESIDE_DISABLED / REPLICA_SIDE_DISABLED): a restored instance must not start writing on a schedule. Name them,
    /// with the statement that enables each, so the operator decides.
    /// </summary>
    private static void ReportDisabledEvents(RestoreResult result, TextWriter output)
    {
        if (result.DisabledEvents.Count == 0)
        {
            return;
        }

        output.WriteLine($"events created DISABLED: {string.Join(", ", result.DisabledEvents.Select(e => e.Schema + "." + e.Name))} (enable the ones this instance should run):");
        foreach (var disabled in result.DisabledEvents)
        {
            output.WriteLine($"  {disabled}: {disabled.EnableStatement};");
        }
    }

    /// <summary>Spectre.Console progress bars (snapshot rows, then binlog bytes) with ETA, on a terminal.</summary>
    private static async Task<RestoreResult> ReplayWithBarAsync(PointInTimeRestore restore, RestorePlan plan, string connection, CancellationToken ct) =>
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var load = plan.Snapshot is { } snapshot ? context.AddTask($"snapshot {snapshot.Id}", maxValue: Math.Max(snapshot.Rows, 1)) : null;
                var replay = context.AddTask("replay", maxValue: Math.Max(plan.TotalBytes, 1));
                var progress = new SyncProgress(p =>
                {
                    if (p.Phase == RestorePhase.Snapshot && load is not null)
                    {
                        load.Value = p.BytesDone;
                    }
                    else
                    {
                        if (load is not null)
                        {
                            load.Value = load.MaxValue;
                        }

                        replay.Value = p.BytesDone;
                        replay.Description = string.Create(CultureInfo.InvariantCulture, $"replay: {p.Transactions} trx, last {p.LastGtid ?? "-"}");
                    }
                });
                var result = await restore.ReplayAsync(plan, connection, progress, ct);
                replay.Value = replay.MaxValue;
                return result;
            });

    /// <summary>Plain lines (not a terminal): one every 10 % of each phase, with rate and ETA.</summary>
    private static async Task<RestoreResult> ReplayWithLinesAsync(PointInTimeRestore restore, RestorePlan plan, string connection, TextWriter output, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var lastDecile = (Phase: (RestorePhase?)null, Decile: -1);
        var progress = new SyncProgress(p =>
        {
            var fraction = p.BytesTotal == 0 ? 1 : Math.Clamp((double)p.BytesDone / p.BytesTotal, 0, 1);
            var decile = (int)(fraction * 10);
            if (lastDecile.Phase == p.Phase && lastDecile.Decile == decile)
            {
                return;
            }

            if (lastDecile.Phase != p.Phase)
            {
                started = DateTimeOffset.UtcNow;
            }

            lastDecile = (p.Phase, decile);
            var elapsed = DateTimeOffset.UtcNow - started;
            var eta = fraction > 0.001 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
            output.WriteLine(p.Phase == RestorePhase.Snapshot
                ? string.Create(CultureInfo.InvariantCulture, $"snapshot {fraction * 100,5:F1}% {p.BytesDone}/{p.BytesTotal} rows  ETA {eta:hh\\:mm\\:ss}")
                : string.Create(CultureInfo.InvariantCulture,
                    $"replay   {fraction * 100,5:F1}% {p.BytesDone / 1048576.0:F1}/{p.BytesTotal / 1048576.0:F1} MiB  {p.Transactions} trx  ETA {eta:hh\\:mm\\:ss}  last {p.LastGtid}"));
        });
        return await restore.ReplayAsync(plan, connection, progress, ct);
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and reorder lines).</summary>
    private sealed class SyncProgress(Action<RestoreProgress> report) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) => report(value);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>
/// A restore drill: proves the archive gives back the standby's data. Reads the standby's applied position and
/// CHECKSUM TABLE of every user table inside one consistent snapshot (so the standby may keep applying), verifies the
/// archive, restores it into the scratch instance up to exactly that position (the scratch's user schemas are dropped
/// first), checksums the scratch and compares table by table. Never throws for a failed drill: the
/// <see cref="DrillResult"/> carries the verdict (= exit code), the phases with their durations and the problems;
/// only cancellation and programming errors escape. Writes markdown and HTML reports when
/// <see cref="DrillOptions.ReportDirectory"/> is set. The daemon schedules it and alerts on <see cref="DrillResult.Verdict"/>.
/// </summary>
public sealed class DrillRunner(DrillOptions options)
{
    private readonly DrillOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    public async Task<DrillResult> RunAsync(CancellationToken ct)
    {
        _options.Validate();
        var run = new Run(_options);
        var result = await run.ExecuteAsync(ct).ConfigureAwait(false);
        if (_options.ReportDirectory is { } directory)
        {
            var (markdown, html) = await DrillReportFiles.WriteAsync(result, directory, ct).ConfigureAwait(false);
            result = result with { MarkdownReportPath = markdown, HtmlReportPath = html };
        }

        var log = _options.Logger;
        if (result.Passed)
        {
            log.Information("Drill passed: {Summary}", result.Summary);
        }
        else
        {
            log.Error("Drill failed ({Verdict}): {Summary}", result.Verdict, result.Summary);
        }

        return result;
    }

    /// <summary>The state of one drill run, filled phase by phase.</summary>
    private sealed class Run(DrillOptions options)
    {
        private readonly List<DrillPhase> _phases = [];
        private readonly List<string> _problems = [];
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private string _scratch = Describe(options.ScratchConnectionString);
        private string _standby = Describe(options.CompareConnectionString);
        private AppliedPosition? _applied;
        private RestoreTarget? _target;
        private RestorePlan? _plan;
        private RestoreResult? _restored;
        private string? _archiveCheck;
        private List<DrillTableResult> _tables = [];

        public async Task<DrillResult> ExecuteAsync(CancellationToken ct)
        {
            DrillVerdict verdict;
            try
            {
                verdict = await StepsAsync(ct).ConfigureAwait(false);
            }
            catch (DrillStepFailed failed)
            {
                verdict = failed.Verdict;
            }

            return new DrillResult
            {
                Verdict = verdict,
                Summary = Summarize(verdict),
                StartedAt = _started,
                Duration = _clock.Elapsed,
                ArchiveDirectory = Path.GetFullPath(options.ArchiveDirectory),
                Scratch = _scratch,
                Standby = _standby,
                StandbyPosition = _applied?.Position.ToString(),
                RestoreTarget = _target?.ToString(),
                SnapshotId = _plan?.Snapshot?.Id,
                Snapshot = _plan?.Snapshot?.ToString() ?? _plan?.SnapshotChoice,
                Segments = _plan?.Segments.Select(s => s.Name).ToList() ?? [],
                ReplayedBytes = _plan?.TotalBytes ?? 0,
                TransactionsApplied = _restored?.TransactionsApplied ?? 0,
                LastGtid = _restored?.LastGtid,
                LastPosition = _restored?.LastPosition,
                DisabledEvents = _restored?.DisabledEvents ?? [],
                ArchiveCheck = _archiveCheck,
                Phases = _phases,
                Tables = _tables,
                Problems = _problems,
            };
        }

        private async Task<DrillVerdict> StepsAsync(CancellationToken ct)
        {
            var standbyChecksums = await PhaseAsync("read standby", DrillVerdict.ConnectionFailed, ReadStandbyAsync, ct).ConfigureAwait(false);
            var archiveEnd = await PhaseAsync("verify archive", DrillVerdict.ArchiveDamaged, VerifyArchiveAsync, ct).ConfigureAwait(false);
            var source = await PhaseAsync("plan restore", DrillVerdict.ArchiveDamaged, token => PlanAsync(archiveEnd, token), ct).ConfigureAwait(false);
            await PhaseAsync("reset scratch", DrillVerdict.ConnectionFailed, ResetScratchAsync, ct).ConfigureAwait(false);
            await PhaseAsync("restore", DrillVerdict.RestoreFailed, token => RestoreAsync(source, token), ct).ConfigureAwait(false);
            var scratchChecksums = await PhaseAsync("checksum scratch", DrillVerdict.ConnectionFailed, ChecksumScratchAsync, ct).ConfigureAwait(false);

            var names = new SortedSet<TableName>(standbyChecksums.Keys);
            names.UnionWith(scratchChecksums.Keys);
            _tables = names.Select(t => new DrillTableResult(t, standbyChecksums.GetValueOrDefault(t), scratchChecksums.GetValueOrDefault(t))).ToList();
            foreach (var table in _tables.Where(t => !t.Matches))
            {
                _problems.Add($"{table.Table}: {table.Status} (standby {table.StandbyChecksum ?? "-"}, scratch {table.ScratchChecksum ?? "-"})");
            }

            return _tables.All(t => t.Matches) ? DrillVerdict.Passed : DrillVerdict.Mismatch;
        }

        /// <summary>Standby position and checksums in one snapshot; also checks the scratch is a different instance.</summary>
        private async Task<(IReadOnlyDictionary<TableName, string?>, string)> ReadStandbyAsync(CancellationToken ct)
        {
            var (standby, _) = await StandbyConnections.OpenAsync(options.CompareConnectionString, ct).ConfigureAwait(false);
            await using var standbyConnection = standby;
            var standbyIdentity = await ServerIdentity.ReadAsync(standby, ct).ConfigureAwait(false);
            _standby = Describe(options.CompareConnectionString) + " (" + standbyIdentity.Version + ")";

            var (scratch, _) = await StandbyConnections.OpenAsync(options.ScratchConnectionString, ct).ConfigureAwait(false);
            await using (scratch.ConfigureAwait(false))
            {
                var scratchIdentity = await ServerIdentity.ReadAsync(scratch, ct).ConfigureAwait(false);
                _scratch = Describe(options.ScratchConnectionString) + " (" + scratchIdentity.Version + ")";
                if (scratchIdentity.SameInstanceAs(standbyIdentity))
                {
                    throw new DrillSetupException(DrillVerdict.InvalidSetup,
                        $"--scratch and --compare name the same instance ({standbyIdentity}); the drill would wipe the standby. Give a separate scratch instance.");
                }
            }

            await standby.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", ct).ConfigureAwait(false);
            await using var snapshot = await ConsistentSnapshot.StartWithoutPositionAsync(standby, ct).ConfigureAwait(false);
            _applied = await PositionStore.ReadAsync(standby, options.Channel, ct).ConfigureAwait(false)
                ?? throw new DrillSetupException(DrillVerdict.InvalidSetup,
                    $"the compare instance {Describe(options.CompareConnectionString)} has no replicakeeper.applied_position row for channel '{options.Channel}': point --compare at a ReplicaKeeper standby");
            var checksums = await TableChecksums.ReadAsync(standby, ct).ConfigureAwait(false);
            return (checksums, $"applied {_applied.Position} (last transaction {_applied.LastTransaction ?? "none"}); {checksums.Count} table(s) checksummed in the same snapshot");
        }

        private async Task<(string?, string)> VerifyArchiveAsync(CancellationToken ct)
        {
            var report = await new ArchiveVerifier(new ArchiveLayout(options.ArchiveDirectory), options.Key).VerifyAsync(ct).ConfigureAwait(false);
            _archiveCheck = string.Create(CultureInfo.InvariantCulture,
                $"{report.SealedSegments} sealed + {report.RawSegments} raw segment(s), {report.Transactions} transaction(s), {report.OriginalBytes / 1048576.0:F1} MiB of binlog; {report.Problems.Count} problem(s)");
            if (!report.IsValid)
            {
                _problems.AddRange(report.Problems.Select(p => p.ToString()));
                throw new DrillSetupException(DrillVerdict.ArchiveDamaged,
                    $"archive verification found {report.Problems.Count} problem(s); first: {report.Problems[0]}");
            }

            return (report.LastGtids, _archiveCheck);
        }

        private async Task<(ArchiveSource, string)> PlanAsync(string? archiveEnd, CancellationToken ct)
        {
            var source = await ArchiveSource.OpenAsync(options.ArchiveDirectory, options.Key, ct).ConfigureAwait(false);
            _target = DrillTarget.From(_applied!);
            DrillTarget.CheckReachable(_target, source, archiveEnd, _applied!.Position.MariaDbGtids is not null);
            var restoreOptions = new RestoreOptions
            {
                UseSnapshots = options.UseSnapshots,
                AllowArchiveWithoutBase = options.AllowArchiveWithoutBase,
                Channel = options.Channel,
            };
            _plan = await new PointInTimeRestore(source).PlanAsync(_target, [], restoreOptions, ct).ConfigureAwait(false);
            var segments = _plan.Segments;
            var from = _plan.Snapshot is { } snapshot ? $"snapshot {snapshot.Id} at {snapshot.Position}" : $"no snapshot ({_plan.SnapshotChoice})";
            var detail = segments.Count == 0
                ? $"{_target}: {from}, no segments"
                : string.Create(CultureInfo.InvariantCulture,
                    $"{_target}: {from}, then {segments.Count} segment(s) {segments[0].Name} .. {segments[^1].Name}, {_plan.TotalBytes / 1048576.0:F1} MiB, chain checked");
            return (source, detail);
        }

        private async Task<(bool, string)> ResetScratchAsync(CancellationToken ct)
        {
            var schemas = await TargetInstance.UserSchemasAsync(options.ScratchConnectionString, ct).ConfigureAwait(false);
            await TargetInstance.ResetAsync(options.ScratchConnectionString, ct).ConfigureAwait(false);
            return (true, schemas.Count == 0 ? "scratch was empty" : $"dropped {schemas.Count} schema(s): {string.Join(", ", schemas)}; binary logs and GTID history reset");
        }

        private async Task<(bool, string)> RestoreAsync(ArchiveSource source, CancellationToken ct)
        {
            var watch = new PhaseWatch(options.Progress);
            _restored = await new PointInTimeRestore(source).ReplayAsync(_plan!, options.ScratchConnectionString, watch, ct).ConfigureAwait(false);
            var detail = _restored.Describe();
            if (_plan!.Snapshot is { } snapshot && watch.ReplayStartedAt is { } replayStart)
            {
                detail += string.Create(CultureInfo.InvariantCulture,
                    $"; snapshot {snapshot.Id} ({snapshot.Tables} tables, {snapshot.Rows} rows) loaded in {replayStart.TotalSeconds:F1} s, archive replayed in {(watch.Elapsed - replayStart).TotalSeconds:F1} s");
            }

            return (true, detail);
        }

        private async Task<(IReadOnlyDictionary<TableName, string?>, string)> ChecksumScratchAsync(CancellationToken ct)
        {
            var (scratch, _) = await StandbyConnections.OpenAsync(options.ScratchConnectionString, ct).ConfigureAwait(false);
            await using var connection = scratch;
            var checksums = await TableChecksums.ReadAsync(scratch, ct).ConfigureAwait(false);
            return (checksums, $"{checksums.Count} table(s) checksummed");
        }

        /// <summary>Runs one phase, timing it; a failure is recorded with its verdict and ends the drill.</summary>
        private async Task<T> PhaseAsync<T>(string name, DrillVerdict onFailure, Func<CancellationToken, Task<(T Value, string Detail)>> body, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var (value, detail) = await body(ct).ConfigureAwait(false);
                _phases.Add(new DrillPhase(name, clock.Elapsed, true, detail));
                options.Logger.Information("Drill phase {Phase} done in {Seconds:F1} s: {Detail}", name, clock.Elapsed.TotalSeconds, detail);
                return value;
            }
            catch (Exception ex) when (Classify(ex, onFailure) is { } verdict && !ct.IsCancellationRequested)
            {
                var message = ex is MySqlException sql ? $"server error {(int)sql.ErrorCode}: {sql.Message}" : ex.Message;
                _phases.Add(new DrillPhase(name, clock.Elapsed, false, message));
                _problems.Insert(0, $"{name}: {message}");
                options.Logger.Error(ex, "Drill phase {Phase} failed ({Verdict}): {Message}", name, verdict, message);
                throw new DrillStepFailed(verdict);
            }
        }

        private static DrillVerdict? Classify(Exception ex, DrillVerdict phaseDefault) => ex switch
        {
            DrillSetupException setup => setup.Verdict,
            ArchiveGapException or SnapshotFormatException => DrillVerdict.ArchiveDamaged,
            ArchiveKeyException or DirectoryNotFoundException or ArgumentException or FormatException => DrillVerdict.InvalidSetup,
            MySqlException sql when IsConnectionProblem(sql) => DrillVerdict.ConnectionFailed,
            MySqlException => phaseDefault == DrillVerdict.ConnectionFailed ? DrillVerdict.ConnectionFailed : DrillVerdict.RestoreFailed,
            SocketException or TimeoutException => DrillVerdict.ConnectionFailed,
            IOException or InvalidDataException or InvalidOperationException or NotSupportedException => phaseDefault,
            _ => null,
        };

        private static bool IsConnectionProblem(MySqlException e) =>
            e.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.AccessDenied or MySqlErrorCode.ServerShutdown
                or MySqlErrorCode.ConnectionCountError or MySqlErrorCode.QueryInterrupted
            || e.InnerException is IOException or SocketException or EndOfStreamException;

        private string Summarize(DrillVerdict verdict)
        {
            var at = _target?.ToString() ?? "(no target)";
            var differing = _tables.Where(t => !t.Matches).ToList();
            return verdict switch
            {
                DrillVerdict.Passed => string.Create(CultureInfo.InvariantCulture,
                    $"drill passed: {_tables.Count} table(s) restored from the archive match the standby at {at} ({_restored?.TransactionsApplied ?? 0} transaction(s) from {_plan?.Segments.Count ?? 0} segment(s), {_clock.Elapsed.TotalSeconds:F1} s)"),
                DrillVerdict.Mismatch => $"drill FAILED: {differing.Count} of {_tables.Count} table(s) differ from the standby at {at}: "
                    + string.Join(", ", differing.Select(t => $"{t.Table} ({t.Status})")),
                _ => $"drill FAILED ({verdict}): {(_problems.Count > 0 ? _problems[0] : "unknown")}",
            };
        }

        /// <summary>host:port of a connection string, never its password.</summary>
        private static string Describe(string connectionString)
        {
            try
            {
                var builder = new MySqlConnectionStringBuilder(connectionString);
                return string.Create(CultureInfo.InvariantCulture, $"{builder.Server}:{builder.Port}");
            }
            catch (ArgumentException)
            {
                return "(unparsable connection string)";
            }
        }
    }

    /// <summary>Passes restore progress on and notes when the replay phase (after the snapshot load) began.</summary>
    private sealed class PhaseWatch(IProgress<RestoreProgress>? inner) : IProgress<RestoreProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public TimeSpan? ReplayStartedAt { get; private set; }

        public TimeSpan Elapsed => _clock.Elapsed;

        public void Report(RestoreProgress value)
        {
            if (value.Phase == RestorePhase.Replay && ReplayStartedAt is null)
            {
                ReplayStartedAt = _clock.Elapsed;
            }

            inner?.Report(value);
        }
    }

    private sealed class DrillStepFailed(DrillVerdict verdict) : Exception(verdict.ToString())
    {
        public DrillVerdict Verdict { get; } = verdict;
    }
}

using System.CommandLine;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Drill;
using ReplicaKeeper.Restore.Replay;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper drill</c>: restore the archive into a scratch instance up to the standby's applied position and
/// compare every table; exit code = <see cref="DrillVerdict"/> (0 match, 1 data differs, 2 setup, 3 archive damaged,
/// 4 connection, 5 archive behind the standby, 6 restore error).
/// </summary>
internal static class DrillCommand
{
    public static Command Create()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory to prove", Required = true };
        var scratch = new Option<string>("--scratch") { Description = "Connection string of the scratch instance (its user schemas are DROPPED)", Required = true };
        var compare = new Option<string>("--compare") { Description = "Connection string of the standby to compare with (its applied position is the restore target)", Required = true };
        var report = new Option<string?>("--report") { Description = "Directory for the markdown and HTML reports (default: the current directory)" };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var channel = new Option<string>("--channel") { Description = "Standby position channel", DefaultValueFactory = _ => "default" };
        var noSnapshot = new Option<bool>("--no-snapshot") { Description = "Do not start from a snapshot: replay the archive from its first segment" };
        var fromStart = new Option<bool>("--from-archive-start") { Description = "Without a snapshot, replay from the first segment even if it is not the master's first binlog (the standby was seeded there)" };
        var command = new Command("drill",
            "Restore drill: restore the archive into a scratch instance up to the standby's position, CHECKSUM TABLE both, write a report. "
            + "Exit 0 match, 1 data differs, 2 setup, 3 archive damaged, 4 connection, 5 archive behind the standby, 6 restore error.");
        foreach (var option in new Option[] { archive, scratch, compare, report, keyFile, channel, noSnapshot, fromStart })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            ArchiveKey? key;
            try
            {
                key = ArchiveKey.Load(parse.GetValue(keyFile));
            }
            catch (Exception ex) when (ex is ArchiveKeyException or IOException or FormatException)
            {
                await error.WriteLineAsync("drill: " + ex.Message).ConfigureAwait(false);
                return (int)DrillVerdict.InvalidSetup;
            }

            using (key)
            {
                var options = new DrillOptions
                {
                    ArchiveDirectory = parse.GetValue(archive)!,
                    ScratchConnectionString = parse.GetValue(scratch)!,
                    CompareConnectionString = parse.GetValue(compare)!,
                    ReportDirectory = parse.GetValue(report) ?? Directory.GetCurrentDirectory(),
                    Channel = parse.GetValue(channel)!,
                    Key = key,
                    UseSnapshots = !parse.GetValue(noSnapshot),
                    AllowArchiveWithoutBase = parse.GetValue(fromStart),
                    Progress = new LineProgress(output),
                };
                var result = await new DrillRunner(options).RunAsync(ct).ConfigureAwait(false);
                foreach (var phase in result.Phases)
                {
                    await output.WriteLineAsync($"{(phase.Succeeded ? "ok    " : "FAILED")} {phase.Name,-17} {phase.Duration.TotalSeconds,7:F1} s  {phase.Detail}").ConfigureAwait(false);
                }

                foreach (var table in result.Tables)
                {
                    await output.WriteLineAsync($"  {table.Table}: {table.Status}").ConfigureAwait(false);
                }

                if (result.DisabledEvents.Count > 0)
                {
                    await output.WriteLineAsync($"scheduled events left disabled on the scratch instance: {string.Join(", ", result.DisabledEvents)}").ConfigureAwait(false);
                }

                await (result.Passed ? output : error).WriteLineAsync(result.Summary).ConfigureAwait(false);
                await output.WriteLineAsync($"report: {result.MarkdownReportPath} and {result.HtmlReportPath}").ConfigureAwait(false);
                return result.ExitCode;
            }
        });
        return command;
    }

    /// <summary>A progress line every 10 % of each restore phase (the drill's output is usually a log, not a terminal).</summary>
    private sealed class LineProgress(TextWriter output) : IProgress<RestoreProgress>
    {
        private readonly Lock _lock = new();
        private RestorePhase _phase = RestorePhase.Replay;
        private int _lastDecile = -1;

        public void Report(RestoreProgress value)
        {
            lock (_lock)
            {
                if (value.Phase != _phase)
                {
                    _phase = value.Phase;
                    _lastDecile = -1;
                }

                var fraction = value.BytesTotal == 0 ? 1 : Math.Clamp((double)value.BytesDone / value.BytesTotal, 0, 1);
                var decile = (int)(fraction * 10);
                if (decile == _lastDecile)
                {
                    return;
                }

                _lastDecile = decile;
                output.WriteLine(value.Phase == RestorePhase.Snapshot
                    ? FormattableString.Invariant($"snapshot {fraction * 100,5:F1}%  {value.BytesDone} of {value.BytesTotal} rows")
                    : FormattableString.Invariant($"replay   {fraction * 100,5:F1}%  {value.Transactions} trx  last {value.LastGtid}"));
            }
        }
    }
}

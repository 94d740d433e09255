using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Seeding;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper standby init</c>: seed an empty standby from the source without locking it and record the
/// source position it corresponds to; <c>replicakeeper standby</c> then resumes from there.
/// Exit codes: 0 seeded, 2 bad arguments, 3 the target is not empty, 4 the seed failed.
/// </summary>
internal static class StandbyInitCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Source connection string (SELECT, SHOW VIEW and REPLICATION CLIENT).", Required = true };
        var target = new Option<string>("--target") { Description = "Standby connection string (an empty instance).", Required = true };
        var channel = new Option<string>("--channel") { Description = "Position channel written on the standby.", DefaultValueFactory = _ => PositionStore.DefaultChannel };
        var schemas = new Option<string?>("--schemas") { Description = "Comma-separated schemas copied whole (default: every schema outside the system ones)." };
        var tables = new Option<string?>("--tables") { Description = "Comma-separated db.table list copied in addition to --schemas." };
        var force = new Option<bool>("--force") { Description = "Seed even when the target already holds these schemas/tables or a position for the channel: they are dropped first." };
        var chunkRows = new Option<int>("--chunk-rows") { Description = "Rows per multi-row INSERT.", DefaultValueFactory = _ => 1000 };

        var command = new Command("init", "Seed an empty standby from the source (consistent snapshot, no locks) and record the position `standby` resumes from.");
        foreach (var option in new Option[] { source, target, channel, schemas, tables, force, chunkRows })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            StandbySeedOptions options;
            try
            {
                options = new StandbySeedOptions
                {
                    SourceConnectionString = parse.GetValue(source)!,
                    TargetConnectionString = parse.GetValue(target)!,
                    Channel = parse.GetValue(channel)!,
                    Schemas = List(parse.GetValue(schemas)),
                    Tables = [.. List(parse.GetValue(tables)).Select(TableName.Parse)],
                    Force = parse.GetValue(force),
                    ChunkRows = parse.GetValue(chunkRows),
                    Progress = new ConsoleProgress(output),
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await error.WriteLineAsync($"standby init: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var report = await new StandbySeeder(options).RunAsync(ct).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Seeded {report.Tables.Count} table(s), {report.TotalRows} rows, {Size(report.TotalBytes)} in {report.Elapsed.TotalSeconds:0.0} s; {report.Views.Count} view(s), {report.Routines.Count} routine(s), {report.Triggers.Count} trigger(s) (guarded: they do not fire for the applier).")).ConfigureAwait(false);
                foreach (var skipped in report.Skipped)
                {
                    await output.WriteLineAsync($"Not copied: {skipped}").ConfigureAwait(false);
                }

                await output.WriteLineAsync(report.IsExact
                    ? $"Snapshot position: {report.Position}."
                    : $"Snapshot between {report.Position} and {report.IdempotentUntil} (the source kept committing): the applier replays that window idempotently.").ConfigureAwait(false);
                await output.WriteLineAsync($"Next: replicakeeper standby --source ... --target ... --channel {options.Channel}").ConfigureAwait(false);
                return 0;
            }
            catch (TargetNotEmptyException e)
            {
                await error.WriteLineAsync($"standby init: {e.Message}").ConfigureAwait(false);
                return 3;
            }
            catch (StandbySeedException e)
            {
                await error.WriteLineAsync($"standby init: {e.Message}").ConfigureAwait(false);
                return 4;
            }
            catch (MySqlConnector.MySqlException e) when (!ct.IsCancellationRequested)
            {
                await error.WriteLineAsync($"standby init: server error {(int)e.ErrorCode}: {e.Message}").ConfigureAwait(false);
                return 4;
            }
        });
        return command;
    }

    private static List<string> List(string? text) => [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
    };

    /// <summary>Prints one line per finished table and, for long tables, one every two seconds.</summary>
    private sealed class ConsoleProgress(TextWriter output) : IProgress<SeedProgress>
    {
        private readonly Stopwatch _sinceLine = Stopwatch.StartNew();

        public void Report(SeedProgress value)
        {
            if (!value.TableDone && _sinceLine.Elapsed < TimeSpan.FromSeconds(2))
            {
                return;
            }

            _sinceLine.Restart();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{value.TableNumber}/{value.TableCount}] {value.Table}: {value.TableRows} rows{(value.TableDone ? "" : " so far")}; total {value.TotalRows} rows, {Size(value.TotalBytes)}"));
        }
    }
}

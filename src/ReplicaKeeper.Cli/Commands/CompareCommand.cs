using System.CommandLine;
using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper compare</c>: table-by-table comparison of the source and the standby at a common position.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Source (master) connection string (MySqlConnector syntax).", Required = true };
        var target = new Option<string>("--target") { Description = "Standby connection string.", Required = true };
        var tables = new Option<string?>("--tables") { Description = "Comma-separated db.table list (default: every table outside the system schemas and replicakeeper)." };
        var mode = new Option<CompareMode>("--mode") { Description = "checksum (CHECKSUM TABLE, narrowed to keys when different) or rows (chunked row hashes).", DefaultValueFactory = _ => CompareMode.Checksum };
        var chunkSize = new Option<int>("--chunk-size") { Description = "Rows per chunk in rows mode.", DefaultValueFactory = _ => 1000 };
        var waitTimeout = new Option<double>("--wait-timeout") { Description = "Seconds to wait for the standby to reach the source's position.", DefaultValueFactory = _ => 60 };
        var channel = new Option<string>("--channel") { Description = "Standby position channel.", DefaultValueFactory = _ => "default" };

        var command = new Command("compare", "Compare the source and the standby table by table at a common position; exit 1 when they differ.");
        foreach (var option in new Option[] { source, target, tables, mode, chunkSize, waitTimeout, channel })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            CompareOptions options;
            try
            {
                options = new CompareOptions
                {
                    SourceConnectionString = parse.GetValue(source)!,
                    TargetConnectionString = parse.GetValue(target)!,
                    Tables = (parse.GetValue(tables) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TableName.Parse).ToList(),
                    Mode = parse.GetValue(mode),
                    ChunkSize = parse.GetValue(chunkSize),
                    WaitTimeout = TimeSpan.FromSeconds(parse.GetValue(waitTimeout)),
                    Channel = parse.GetValue(channel)!,
                };
                options.Validate();
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                await error.WriteLineAsync($"compare: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var report = await new StandbyComparer(options).CompareAsync(ct).ConfigureAwait(false);
                await output.WriteLineAsync(report.AtCommonPosition
                    ? $"Compared at {report.SourcePosition}"
                    : $"Compared without a common position (the target has no replicakeeper.applied_position row); source at {report.SourcePosition}").ConfigureAwait(false);
                foreach (var table in report.Tables)
                {
                    await output.WriteLineAsync(table.ToString()).ConfigureAwait(false);
                }

                var differing = report.Differences.Count();
                await output.WriteLineAsync(differing == 0
                    ? $"All {report.Tables.Count} table(s) equal."
                    : $"{differing} of {report.Tables.Count} table(s) differ.").ConfigureAwait(false);
                return differing == 0 ? 0 : 1;
            }
            catch (CompareTimeoutException e)
            {
                await error.WriteLineAsync($"compare: {e.Message}").ConfigureAwait(false);
                return 3;
            }
            catch (MySqlConnector.MySqlException e)
            {
                await error.WriteLineAsync($"compare: server error {e.ErrorCode}: {e.Message}").ConfigureAwait(false);
                return 4;
            }
        });
        return command;
    }
}

using System.CommandLine;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper standby</c>: apply the source's changes to a standby, exactly once, until stopped.</summary>
internal static class StandbyCommand
{
    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Source connection string (REPLICATION SLAVE + REPLICATION CLIENT).", Required = true };
        var target = new Option<string>("--target") { Description = "Standby connection string.", Required = true };
        var channel = new Option<string>("--channel") { Description = "Position channel on the standby.", DefaultValueFactory = _ => PositionStore.DefaultChannel };
        var onConflict = new Option<ConflictPolicy>("--on-conflict") { Description = "stop (default), skip or overwrite when the standby's rows do not match the source's change.", DefaultValueFactory = _ => ConflictPolicy.Stop };
        var fromGtid = new Option<string?>("--from-gtid") { Description = "Start position when the standby has none yet: MySQL GTID set or MariaDB GTID list ('' = the beginning of the source's binlogs)." };
        var stopAtEnd = new Option<bool>("--stop-at-end") { Description = "Stop when the source's current binlog end is applied." };
        var groupCommit = new Option<int>("--group-commit") { Description = "Source transactions per standby commit (1 = commit each on its own; the position row commits with the data either way).", DefaultValueFactory = _ => 100 };
        var prepared = new Option<bool>("--prepared") { Description = "One prepared statement (binary protocol) per row change and round trip, instead of sending a group's statements together." };

        var command = new Command("standby", "Keep a standby instance in step with the source (row events and DDL, exactly once, crash-safe).");
        foreach (var option in new Option[] { source, target, channel, onConflict, fromGtid, stopAtEnd, groupCommit, prepared })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            StandbyPosition? start = null;
            if (parse.GetValue(fromGtid) is { } text)
            {
                start = text.Trim().Length == 0
                    ? new StandbyPosition(GtidSet.Empty, MariaDbGtidList.Empty, null) // the applier picks the source's flavour
                    : text.Contains(':', StringComparison.Ordinal)
                        ? new StandbyPosition(GtidSet.Parse(text), null, null)
                        : new StandbyPosition(null, MariaDbGtidList.Parse(text), null);
            }

            if (parse.GetValue(groupCommit) < 1)
            {
                await error.WriteLineAsync("standby: --group-commit must be at least 1.").ConfigureAwait(false);
                return 2;
            }

            var options = new StandbyOptions
            {
                SourceConnectionString = parse.GetValue(source)!,
                TargetConnectionString = parse.GetValue(target)!,
                Channel = parse.GetValue(channel)!,
                OnConflict = parse.GetValue(onConflict),
                StartPosition = start,
                StopAtEnd = parse.GetValue(stopAtEnd),
                MaxTransactionsPerCommit = parse.GetValue(groupCommit),
                BatchStatements = !parse.GetValue(prepared),
            };
            var applier = new StandbyApplier(options);
            try
            {
                await applier.RunAsync(ct).ConfigureAwait(false);
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0;
            }
            catch (StandbyConflictException e)
            {
                await error.WriteLineAsync($"standby: {e.Message}").ConfigureAwait(false);
                return 3;
            }
            catch (StandbyApplyException e)
            {
                await error.WriteLineAsync($"standby: {e.Message}").ConfigureAwait(false);
                return 4;
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"standby: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        command.Subcommands.Add(StandbyInitCommand.Create());
        return command;
    }
}

using System.CommandLine;
using MySqlConnector;
using ReplicaKeeper.Failover;
using ReplicaKeeper.Failover.Reporting;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper promote</c>: make the standby the master once the gates pass. Exit codes: 0 promoted (or, with
/// --dry-run, every gate passes), 2 bad arguments, 3 refused by a gate, 4 fencing failed, 5 a step failed.
/// Passwords come from --standby-password-file / --master-password-file (mode 600) or from the environment
/// (<see cref="PromotePasswords"/>), so that the connection strings on the command line need not hold them.
/// </summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var standby = new Option<string>("--standby")
        {
            Description = $"Standby connection string (MySqlConnector syntax); leave the password out and use --standby-password-file or {PromotePasswords.StandbyEnv}.",
            Required = true,
        };
        var master = new Option<string>("--master")
        {
            Description = $"Old master connection string (probed; fenced when reachable); leave the password out and use --master-password-file or {PromotePasswords.MasterEnv}.",
            Required = true,
        };
        var standbyPasswordFile = new Option<string?>("--standby-password-file") { Description = "File holding the standby's password (mode 600)." };
        var masterPasswordFile = new Option<string?>("--master-password-file") { Description = "File holding the old master's password (mode 600)." };
        var archive = new Option<string>("--archive") { Description = "Archive directory of this master.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Evaluate the gates only; change nothing." };
        var force = new Option<bool>("--force") { Description = "Skip the master-down gate (planned switchover: a reachable master is fenced read-only first)." };
        var probes = new Option<int>("--probes") { Description = "Consecutive failed probes that mean the master is down.", DefaultValueFactory = _ => 3 };
        var probeInterval = new Option<int>("--probe-interval") { Description = "Milliseconds between probes.", DefaultValueFactory = _ => 500 };
        var fenceCommand = new Option<string?>("--fence-command") { Description = "Shell command that fences an unreachable master (gets RK_MASTER_HOST, RK_MASTER_PORT)." };
        var killConnections = new Option<bool>("--kill-connections") { Description = "Kill the reachable old master's client connections after setting it read-only." };
        var report = new Option<string?>("--report") { Description = "Write the promotion report here (.md: markdown, else JSON)." };
        var channel = new Option<string>("--channel") { Description = "Standby applier channel.", DefaultValueFactory = _ => "default" };

        var command = new Command("promote", "Promote the standby to master: gates (master down, standby has every archived transaction, no errant transactions), fence, make writable.");
        foreach (var option in new Option[] { standby, master, standbyPasswordFile, masterPasswordFile, archive, dryRun, force, probes, probeInterval, fenceCommand, killConnections, report, channel })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            PromotionOptions options;
            try
            {
                options = new PromotionOptions
                {
                    StandbyConnectionString = PromotePasswords.Resolve(parse.GetValue(standby)!, "--standby", parse.GetValue(standbyPasswordFile), PromotePasswords.StandbyEnv),
                    MasterConnectionString = PromotePasswords.Resolve(parse.GetValue(master)!, "--master", parse.GetValue(masterPasswordFile), PromotePasswords.MasterEnv),
                    ArchiveDirectory = parse.GetValue(archive)!,
                    DryRun = parse.GetValue(dryRun),
                    Force = parse.GetValue(force),
                    Probes = parse.GetValue(probes),
                    ProbeInterval = TimeSpan.FromMilliseconds(parse.GetValue(probeInterval)),
                    FenceCommand = parse.GetValue(fenceCommand),
                    KillMasterConnections = parse.GetValue(killConnections),
                    ReportPath = parse.GetValue(report),
                    Channel = parse.GetValue(channel)!,
                };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"promote: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            PromotionReport result;
            try
            {
                result = await new Promoter(options).RunAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MySqlException or InvalidOperationException or IOException)
            {
                await error.WriteLineAsync($"promote: failed: {e.Message}").ConfigureAwait(false);
                return 5;
            }

            foreach (var gate in result.Gates)
            {
                await output.WriteLineAsync($"gate {gate.Name}: {(gate.Passed ? "pass" : "FAIL")} ({gate.Elapsed.TotalMilliseconds:0} ms) {gate.Detail}").ConfigureAwait(false);
            }

            if (result.Fence is { } fence)
            {
                await output.WriteLineAsync($"fence: {fence.Method} {(fence.Succeeded ? "ok" : "FAILED")}: {fence.Detail}").ConfigureAwait(false);
            }

            if (result.NewMaster is { } coordinates)
            {
                await output.WriteLineAsync($"new master: binlog {coordinates.BinlogFile}:{coordinates.BinlogPosition}").ConfigureAwait(false);
                if (coordinates.GtidExecuted is not null)
                {
                    await output.WriteLineAsync($"new master: gtid_executed {coordinates.GtidExecuted}").ConfigureAwait(false);
                }

                if (coordinates.GtidBinlogPos is not null)
                {
                    await output.WriteLineAsync($"new master: gtid_binlog_pos {coordinates.GtidBinlogPos}").ConfigureAwait(false);
                }
            }

            var writer = result.ExitCode == 0 ? output : error;
            await writer.WriteLineAsync($"{result.Outcome}: {result.Reason} ({result.TotalMilliseconds:0} ms)").ConfigureAwait(false);
            if (options.ReportPath is { } path)
            {
                await PromotionReportWriter.WriteAsync(result, path, ct).ConfigureAwait(false);
                await output.WriteLineAsync($"report written to {path}").ConfigureAwait(false);
            }

            return result.ExitCode;
        });
        return command;
    }
}

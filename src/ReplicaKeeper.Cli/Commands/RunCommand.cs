using System.CommandLine;
using System.Net;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Daemon;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper run --config replicakeeper.json</c>: the long-running daemon (<see cref="DaemonHost"/>). An invalid
/// configuration prints one line per bad key and exits with <see cref="DaemonExitCodes"/> before anything starts.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The daemon's JSON config file (environment variables REPLICAKEEPER__SECTION__KEY override it).", DefaultValueFactory = _ => "replicakeeper.json" };
        var check = new Option<bool>("--check") { Description = "Validate the configuration and exit (0 when valid)." };
        var command = new Command("run", "Run the daemon: archiver, standby applier, snapshots, retention, off-site upload, alerts, /metrics and /status.");
        command.Options.Add(config);
        command.Options.Add(check);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            DaemonConfig settings;
            try
            {
                settings = DaemonConfigLoader.Load(parse.GetValue(config)!);
            }
            catch (DaemonConfigException e)
            {
                foreach (var problem in e.Problems)
                {
                    await error.WriteLineAsync($"run: invalid configuration: {problem}").ConfigureAwait(false);
                }

                await error.WriteLineAsync($"run: nothing was started ({e.Problems.Count} problem(s)).").ConfigureAwait(false);
                return e.ExitCode;
            }

            if (parse.GetValue(check))
            {
                settings.Archive.Key?.Dispose();
                await parse.InvocationConfiguration.Output.WriteLineAsync("run: the configuration is valid.").ConfigureAwait(false);
                return DaemonExitCodes.Ok;
            }

            await using var daemon = DaemonHost.Build(settings);
            try
            {
                await daemon.RunAsync(ct).ConfigureAwait(false);
                return DaemonExitCodes.Ok;
            }
            catch (HttpListenerException e)
            {
                await error.WriteLineAsync($"run: cannot listen on {settings.Http.Address}:{settings.Http.Port} ({e.Message}); is another daemon running? Set Http:Port. Nothing was started.").ConfigureAwait(false);
                return DaemonExitCodes.PortInUse;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return DaemonExitCodes.Ok;
            }
        });
        return command;
    }
}

using System.CommandLine;
using System.Runtime.InteropServices;
using ReplicaKeeper.Cli.Demo;
using Spectre.Console;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper demo</c>: the clinic story end to end on throwaway local MariaDB servers (see
/// <see cref="DemoScenario"/>). Exit codes: 0 every check passed, 1 a check failed, 130 interrupted.
/// </summary>
internal static class DemoCommand
{
    internal static class ExitCodes
    {
        public const int Passed = 0;
        public const int Failed = 1;
        public const int Interrupted = 130;
    }

    public static Command Create()
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the demo's directory (archive, data directories, error logs) instead of removing it." };
        var command = new Command("demo", "Run the clinic story on throwaway local MariaDB servers: archive, standby, the accidental DELETE of patient 4711, find it, restore without it; prints each step and checks the result.");
        command.Options.Add(keep);
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output) });
            if (!console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            {
                console.Profile.Width = 160; // logs and pipes: no wrapping at 80 columns
            }

            // Ctrl+C / SIGTERM cancel the story; the servers and files are still removed before exiting.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            var scenario = new DemoScenario(new DemoConsole(console, DemoScenario.Steps), new DemoOptions(parse.GetValue(keep)));
            var passed = await scenario.RunAsync(stop.Token);
            if (stop.IsCancellationRequested)
            {
                console.MarkupLine("[yellow]Interrupted; the demo's servers and files are removed.[/]");
                return ExitCodes.Interrupted;
            }

            return passed ? ExitCodes.Passed : ExitCodes.Failed;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }
}

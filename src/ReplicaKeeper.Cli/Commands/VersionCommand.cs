using System.CommandLine;
using System.Reflection;

namespace ReplicaKeeper.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the ReplicaKeeper version.");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
            parse.InvocationConfiguration.Output.WriteLine($"replicakeeper {version}");
            return 0;
        });
        return command;
    }
}

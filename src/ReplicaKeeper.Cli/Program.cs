using System.CommandLine;
using ReplicaKeeper.Cli.Commands;

namespace ReplicaKeeper.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRootCommand();
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>The command tree; each command lives in Commands/&lt;Name&gt;Command.cs.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("ReplicaKeeper: MySQL/MariaDB replication client, binlog archive and point-in-time recovery.");
        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(StandbyCommand.Create());
        root.Subcommands.Add(TailCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(ArchiveCommand.Create());
        root.Subcommands.Add(FindCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(SnapshotCommand.Create());
        root.Subcommands.Add(FlashbackCommand.Create());
        root.Subcommands.Add(PromoteCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DrillCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }
}

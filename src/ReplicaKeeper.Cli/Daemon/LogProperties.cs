namespace ReplicaKeeper.Cli.Daemon;

/// <summary>Structured log properties the daemon adds to its components' events.</summary>
internal static class LogProperties
{
    /// <summary>The component that logged (archiver, standby, ...); shown in the console output template.</summary>
    public const string Component = "Component";
}

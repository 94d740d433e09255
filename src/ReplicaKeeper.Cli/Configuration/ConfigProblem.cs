namespace ReplicaKeeper.Cli.Configuration;

/// <summary>One invalid configuration key: the key (Section:Key), what is wrong and what to do, and the exit code it maps to.</summary>
public sealed record ConfigProblem(string Key, string Message, int ExitCode)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>Thrown by <see cref="DaemonConfigLoader.Load"/> when the configuration cannot start the daemon; nothing was started.</summary>
public sealed class DaemonConfigException : Exception
{
    public DaemonConfigException()
        : this([])
    {
    }

    public DaemonConfigException(string message)
        : this([new ConfigProblem("(config)", message, Daemon.DaemonExitCodes.InvalidConfig)])
    {
    }

    public DaemonConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new ConfigProblem("(config)", message, Daemon.DaemonExitCodes.InvalidConfig)];
    }

    public DaemonConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(string.Join(Environment.NewLine, problems ?? []))
    {
        Problems = problems ?? [];
    }

    public IReadOnlyList<ConfigProblem> Problems { get; } = [];

    /// <summary>The exit code of the first problem (they are reported in key order).</summary>
    public int ExitCode => Problems.Count == 0 ? Daemon.DaemonExitCodes.InvalidConfig : Problems[0].ExitCode;
}

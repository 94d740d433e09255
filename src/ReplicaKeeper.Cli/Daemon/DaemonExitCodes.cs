namespace ReplicaKeeper.Cli.Daemon;

/// <summary>Exit codes of <c>replicakeeper run</c> (sysexits-style for configuration problems).</summary>
public static class DaemonExitCodes
{
    /// <summary>Stopped on request (SIGTERM, Ctrl+C, service stop).</summary>
    public const int Ok = 0;

    /// <summary>A component failed in a way restarting cannot cure (e.g. the archive key no longer matches).</summary>
    public const int Failed = 1;

    /// <summary>The config file is missing, unreadable or not JSON.</summary>
    public const int ConfigFileUnusable = 66;

    /// <summary>The status endpoint's port is taken (another daemon runs?).</summary>
    public const int PortInUse = 69;

    /// <summary>A secret file can be read by group or others (chmod 600 it), or cannot be read at all.</summary>
    public const int InsecureSecret = 77;

    /// <summary>A key has an invalid, missing or unknown value; the message names it.</summary>
    public const int InvalidConfig = 78;
}

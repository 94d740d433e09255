namespace ReplicaKeeper.Failover;

/// <summary>Settings of one <c>replicakeeper promote</c> run.</summary>
public sealed record PromotionOptions
{
    /// <summary>The standby to promote (MySqlConnector syntax); the user needs SUPER / SYSTEM_VARIABLES_ADMIN.</summary>
    public required string StandbyConnectionString { get; init; }

    /// <summary>The old master: probed, and fenced when reachable.</summary>
    public required string MasterConnectionString { get; init; }

    /// <summary>The archive directory (what is durable decides whether the standby has everything).</summary>
    public required string ArchiveDirectory { get; init; }

    /// <summary>Evaluate the gates only; change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Skip the "master is down" gate (planned switchover: a reachable master is fenced first).</summary>
    public bool Force { get; init; }

    /// <summary>Consecutive failed probes that count as "the master is down".</summary>
    public int Probes { get; init; } = 3;

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Per-probe limit for connect + login + SELECT 1.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Shell command run (via /bin/sh -c) when the master cannot be reached to set it read-only.</summary>
    public string? FenceCommand { get; init; }

    public TimeSpan FenceCommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Kill the reachable old master's client connections after setting it read-only.</summary>
    public bool KillMasterConnections { get; init; }

    /// <summary>
    /// After fencing a reachable master: how long to wait for the standby to apply the master's last transactions.
    /// </summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The standby applier's channel in <c>replicakeeper.applied_position</c>.</summary>
    public string Channel { get; init; } = "default";

    /// <summary>Where to write the promotion report (.md: markdown, anything else: JSON); null: none.</summary>
    public string? ReportPath { get; init; }

    public Serilog.ILogger Logger { get; init; } = Serilog.Core.Logger.None;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(StandbyConnectionString, "--standby");
        ArgumentException.ThrowIfNullOrWhiteSpace(MasterConnectionString, "--master");
        ArgumentException.ThrowIfNullOrWhiteSpace(ArchiveDirectory, "--archive");
        if (Probes < 1)
        {
            throw new ArgumentException("--probes must be at least 1.", "--probes");
        }

        if (ProbeInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("--probe-interval must not be negative.", "--probe-interval");
        }

        if (string.Equals(StandbyConnectionString, MasterConnectionString, StringComparison.Ordinal))
        {
            throw new ArgumentException("--standby and --master are the same connection string.", "--master");
        }
    }
}

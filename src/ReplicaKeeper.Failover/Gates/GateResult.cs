namespace ReplicaKeeper.Failover.Gates;

/// <summary>The outcome of one promotion gate: whether it lets promotion proceed, and why, in words for an operator.</summary>
public sealed record GateResult(string Name, bool Passed, string Detail, TimeSpan Elapsed)
{
    public const string MasterDown = "master-down";
    public const string StandbyCaughtUp = "standby-caught-up";
    public const string NoErrantTransactions = "no-errant-transactions";
    public const string CaughtUpWithFencedMaster = "caught-up-with-fenced-master";
}

namespace ReplicaKeeper.Failover.Fencing;

/// <summary>How the old master was fenced (or why it was not).</summary>
public enum FenceMethod
{
    /// <summary>Not attempted (dry run or a gate failed).</summary>
    None,

    /// <summary>The master was reachable: read_only (and super_read_only) set over SQL.</summary>
    ReadOnly,

    /// <summary>The master was unreachable: the configured fence command ran.</summary>
    Command,

    /// <summary>The master was unreachable and no fence command is configured.</summary>
    Unfenced,
}

/// <summary>What fencing did: the method, whether it succeeded, and the details for the report.</summary>
public sealed record FenceResult(FenceMethod Method, bool Succeeded, string Detail, TimeSpan Elapsed);

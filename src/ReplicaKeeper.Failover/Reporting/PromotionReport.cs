using ReplicaKeeper.Failover.Fencing;
using ReplicaKeeper.Failover.Gates;

namespace ReplicaKeeper.Failover.Reporting;

/// <summary>How a promotion run ended; the CLI maps it to an exit code (<see cref="ExitCode"/>).</summary>
public enum PromotionOutcome
{
    Promoted,
    DryRunPassed,
    Refused,
    FenceFailed,
    Failed,
}

/// <summary>One timed step of the run.</summary>
public sealed record PromotionStep(string Name, double Milliseconds, string Detail);

/// <summary>Everything a promotion run decided and did, written to --report as JSON or markdown.</summary>
public sealed record PromotionReport(
    PromotionOutcome Outcome,
    string Reason,
    DateTimeOffset StartedAt,
    double TotalMilliseconds,
    IReadOnlyList<GateResult> Gates,
    FenceResult? Fence,
    IReadOnlyList<PromotionStep> Steps,
    NewMasterCoordinates? NewMaster)
{
    /// <summary>0 promoted / gates pass in a dry run, 3 a gate refused, 4 fencing failed, 5 a step failed.</summary>
    public int ExitCode => Outcome switch
    {
        PromotionOutcome.Promoted or PromotionOutcome.DryRunPassed => 0,
        PromotionOutcome.Refused => 3,
        PromotionOutcome.FenceFailed => 4,
        _ => 5,
    };
}

/// <summary>Where the new master's history ends: what replicas and clients need to attach.</summary>
public sealed record NewMasterCoordinates(string? BinlogFile, ulong? BinlogPosition, string? GtidExecuted, string? GtidBinlogPos);

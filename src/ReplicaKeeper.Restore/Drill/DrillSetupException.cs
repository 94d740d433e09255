namespace ReplicaKeeper.Restore.Drill;

/// <summary>A drill step failed in a way the drill classifies itself (setup, archive behind the standby).</summary>
internal sealed class DrillSetupException(DrillVerdict verdict, string message) : Exception(message)
{
    public DrillVerdict Verdict { get; } = verdict;
}

namespace ReplicaKeeper.Restore.Drill;

/// <summary>One step of a drill and how long it took.</summary>
/// <param name="Name">"verify archive", "read standby", "plan restore", "reset scratch", "restore", "checksum scratch".</param>
/// <param name="Duration">Wall-clock time of the step.</param>
/// <param name="Succeeded">False for the step the drill stopped at.</param>
/// <param name="Detail">What the step found (counts, positions) or why it failed.</param>
public sealed record DrillPhase(string Name, TimeSpan Duration, bool Succeeded, string? Detail);

namespace ReplicaKeeper.Archive.Retention;

/// <summary>What retention deletes (oldest first) and, when it stops early, which pin or rule keeps the rest.</summary>
public sealed record RetentionPlan(IReadOnlyList<string> Delete, string? KeptBecause, long StoredBytesAfter);

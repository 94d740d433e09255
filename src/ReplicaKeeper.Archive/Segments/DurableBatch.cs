using ReplicaKeeper.Archive.Transactions;

namespace ReplicaKeeper.Archive.Segments;

/// <summary>
/// What one fsync made durable: the new durable position and the transactions completed since the
/// previous one, in stream order (the group of a group commit).
/// </summary>
public sealed record DurableBatch(DurablePosition Position, IReadOnlyList<CompletedTransaction> Transactions);

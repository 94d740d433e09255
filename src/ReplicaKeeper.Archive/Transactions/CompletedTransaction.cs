using ReplicaKeeper.Archive.Gtids;

namespace ReplicaKeeper.Archive.Transactions;

/// <summary>A transaction whose last event has been seen: where it starts and ends in its file, when, and its GTID.</summary>
public sealed record CompletedTransaction(TransactionId? Id, long StartOffset, long EndOffset, uint Timestamp, bool IsDuplicate);

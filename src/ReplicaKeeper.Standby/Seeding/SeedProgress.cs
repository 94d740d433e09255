using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>Where a seed is: the table being copied and the totals so far.</summary>
/// <param name="Table">The table being copied.</param>
/// <param name="TableNumber">1-based number of <paramref name="Table"/> among <paramref name="TableCount"/>.</param>
/// <param name="TableCount">Tables to copy in all.</param>
/// <param name="TableRows">Rows of <paramref name="Table"/> copied so far.</param>
/// <param name="TotalRows">Rows copied so far, all tables.</param>
/// <param name="TotalBytes">Value bytes copied so far, all tables (approximate: text as UTF-8, numbers as 8).</param>
/// <param name="TableDone">True for the last report of <paramref name="Table"/>.</param>
public sealed record SeedProgress(TableName Table, int TableNumber, int TableCount, long TableRows, long TotalRows, long TotalBytes, bool TableDone);

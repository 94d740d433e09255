using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Retention;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Keeps the archive restorable from every kept snapshot: the segment holding the oldest kept snapshot's position and
/// everything after it. Without any snapshot it pins nothing (archive retention alone decides).
/// </summary>
public sealed class SnapshotRetentionPin(ArchiveLayout layout) : IRetentionPin
{
    public string Name => "snapshots";

    public async ValueTask<RetentionPinPoint?> OldestNeededAsync(CancellationToken cancellationToken)
    {
        var snapshots = await SnapshotCatalog.ReadAsync(layout, cancellationToken).ConfigureAwait(false);
        foreach (var snapshot in snapshots)
        {
            if (snapshot.Position.Binlog is { } at)
            {
                return new RetentionPinPoint(at.File, (long)at.Offset, $"snapshot {snapshot.Id} replays from there");
            }
        }

        return null;
    }
}

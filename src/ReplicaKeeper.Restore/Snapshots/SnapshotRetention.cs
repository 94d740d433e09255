using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Snapshot retention: keeps the <see cref="KeepNewest"/> newest snapshots and every snapshot younger than
/// <see cref="MaxAge"/> (null: no such rule); always keeps at least the newest one. Deleting one appends a
/// "retire-snapshot" line to the manifest first, then removes the file. Archive segments are not touched here:
/// <see cref="SnapshotRetentionPin"/> tells archive retention which ones the kept snapshots still need.
/// </summary>
public sealed record SnapshotRetention(int? KeepNewest = null, TimeSpan? MaxAge = null)
{
    /// <summary>The snapshots the rules let go, oldest first.</summary>
    public async Task<IReadOnlyList<SnapshotInfo>> PlanAsync(ArchiveLayout layout, TimeProvider? time, CancellationToken cancellationToken)
    {
        var snapshots = await SnapshotCatalog.ReadAsync(layout, cancellationToken).ConfigureAwait(false);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var newestFirst = snapshots.OrderByDescending(s => s.TakenAt).ToList();
        var delete = new List<SnapshotInfo>();
        for (var i = 1; i < newestFirst.Count; i++)
        {
            var snapshot = newestFirst[i];
            var beyondCount = KeepNewest is { } n && i >= n;
            var tooOld = MaxAge is { } age && now - snapshot.TakenAt > age;
            var keepByCount = KeepNewest is { } keep && i < keep;
            var keepByAge = MaxAge is { } maxAge && now - snapshot.TakenAt <= maxAge;
            if ((beyondCount || tooOld) && !keepByCount && !keepByAge)
            {
                delete.Add(snapshot);
            }
        }

        delete.Reverse();
        return delete;
    }

    /// <summary>Retires (manifest line, then file) what <see cref="PlanAsync"/> lets go; returns them.</summary>
    public async Task<IReadOnlyList<SnapshotInfo>> ApplyAsync(ArchiveLayout layout, TimeProvider? time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var delete = await PlanAsync(layout, time, cancellationToken).ConfigureAwait(false);
        foreach (var snapshot in delete)
        {
            await Manifest.AppendAsync(layout, new ManifestEntry
            {
                Kind = ManifestEntry.SnapshotRetireKind,
                Segment = snapshot.Id,
                StoredName = Path.GetRelativePath(layout.Root, snapshot.StoredPath).Replace('\\', '/'),
                StoredSha256 = snapshot.StoredSha256,
                RecordedAt = (time ?? TimeProvider.System).GetUtcNow(),
                Reason = "snapshot retention",
            }, cancellationToken).ConfigureAwait(false);
            File.Delete(snapshot.StoredPath);
        }

        return delete;
    }
}

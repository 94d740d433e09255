using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// Keeps local retention from deleting a sealed segment before it has been copied off-site: pins the
/// oldest live segment the upload ledger does not list for <paramref name="target"/>.
/// </summary>
public sealed class OffsiteRetentionPin(ArchiveLayout layout, string target) : IRetentionPin
{
    public string Name => $"the off-site copy ({target})";

    public async ValueTask<RetentionPinPoint?> OldestNeededAsync(CancellationToken cancellationToken)
    {
        var manifest = await Manifest.ReadAsync(layout, cancellationToken);
        var ledger = await OffsiteLedger.ReadAsync(layout, target, cancellationToken);
        var retired = OffsiteNames.Retired(manifest.Entries);
        foreach (var entry in manifest.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind && !OffsiteNames.IsRetired(e, retired)))
        {
            if (OffsiteNames.For(entry) is { } name && !ledger.Has(name, entry.StoredSha256 ?? ""))
            {
                return new RetentionPinPoint(entry.Segment, 4, "not copied off-site yet");
            }
        }

        return null;
    }
}

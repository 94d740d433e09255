using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Retention;

/// <summary>
/// Deletes the oldest sealed segments that the policy no longer wants, oldest first and without
/// holes, stopping at the first segment a pin needs. Each deletion is first recorded as a
/// "retire" line in the manifest (fsynced), then the stored file and its index are removed, so
/// verify can tell a retired segment from a lost one. Raw (open or unsealed) segments are never touched.
/// </summary>
public sealed class ArchiveRetention
{
    private readonly ArchiveLayout _layout;
    private readonly RetentionPolicy _policy;
    private readonly IReadOnlyList<IRetentionPin> _pins;
    private readonly TimeProvider _time;

    public ArchiveRetention(ArchiveLayout layout, RetentionPolicy policy, IReadOnlyList<IRetentionPin> pins, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(pins);
        _layout = layout;
        _policy = policy;
        _pins = pins;
        _time = time ?? TimeProvider.System;
    }

    public async ValueTask<RetentionPlan> PlanAsync(CancellationToken cancellationToken)
    {
        var manifest = await Manifest.ReadAsync(_layout, cancellationToken);
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.RetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        var live = manifest.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind && !retired.Contains(e.Segment)).ToList();

        // The oldest position any pin needs: that segment and everything after it stays.
        (RetentionPinPoint Point, string Pin)? oldestPin = null;
        foreach (var pin in _pins)
        {
            if (await pin.OldestNeededAsync(cancellationToken) is { } point
                && (oldestPin is null || SegmentName.Comparer.Compare(point.Segment, oldestPin.Value.Point.Segment) < 0))
            {
                oldestPin = (point, pin.Name);
            }
        }

        var now = _time.GetUtcNow();
        var total = live.Sum(e => e.StoredSize);
        var delete = new List<string>();
        string? kept = null;
        foreach (var entry in live)
        {
            var tooOld = _policy.MaxAge is { } age && entry.LastTime is { } last && now - last > age;
            var tooBig = _policy.MaxStoredBytes is { } max && total > max;
            if (!tooOld && !tooBig)
            {
                kept = $"{entry.Segment} is within the policy";
                break;
            }

            if (oldestPin is { } pin && SegmentName.Comparer.Compare(entry.Segment, pin.Point.Segment) >= 0)
            {
                kept = $"{entry.Segment} is needed by {pin.Pin} ({pin.Point.Reason}, from {pin.Point.Segment}:{pin.Point.Offset})";
                break;
            }

            delete.Add(entry.Segment);
            total -= entry.StoredSize;
        }

        return new RetentionPlan(delete, kept, total);
    }

    public async ValueTask<RetentionPlan> ApplyAsync(CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(cancellationToken);
        var manifest = await Manifest.ReadAsync(_layout, cancellationToken);
        foreach (var segment in plan.Delete)
        {
            var entry = manifest.Entries.Last(e => e.Kind == ManifestEntry.SegmentKind && e.Segment == segment);
            await Manifest.AppendAsync(_layout, new ManifestEntry
            {
                Kind = ManifestEntry.RetireKind,
                Segment = segment,
                StoredName = entry.StoredName,
                StoredSha256 = entry.StoredSha256,
                RecordedAt = _time.GetUtcNow(),
                Reason = "retention",
            }, cancellationToken);
            if (entry.StoredName is not null)
            {
                File.Delete(_layout.SealedPath(entry.StoredName));
            }

            File.Delete(_layout.IndexPath(segment));
        }

        if (plan.Delete.Count > 0)
        {
            NativeMethods.FsyncDirectory(_layout.SealedDirectory);
        }

        return plan;
    }
}

using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Segments;

/// <summary>
/// Start-up crash recovery. Every raw segment but the last must be whole (they were fsynced
/// before the next one was opened). The last one is cut back to the end of its last complete
/// transaction — a partial event, a corrupt tail or the events of an unfinished transaction are
/// removed (truncate + fsync) — and the position after it is where streaming resumes.
/// </summary>
public static class SegmentRecovery
{
    public static async ValueTask<RecoveredArchive> RecoverAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        layout.EnsureCreated();
        var manifest = await Manifest.ReadAsync(layout, cancellationToken);
        var sealedNames = manifest.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        var lastSealed = manifest.Entries.LastOrDefault(e => e.Kind == ManifestEntry.SegmentKind);

        var raw = layout.RawSegments();
        var pending = new List<string>();
        for (var i = 0; i < raw.Count - 1; i++)
        {
            var name = raw[i];
            if (sealedNames.Contains(name))
            {
                // Sealed but the raw copy was not removed before a crash.
                File.Delete(layout.RawSegmentPath(name));
                continue;
            }

            var scan = SegmentScan.Read(layout.RawSegmentPath(name), name);
            if (scan.Outcome != ScanOutcome.End)
            {
                throw new InvalidDataException(
                    $"closed raw segment {name} is damaged at offset {scan.ValidLength}: {scan.Problem}; it was fsynced before the next segment opened, so the disk lost data — run 'archive verify' and restore this segment from a copy");
            }

            pending.Add(name);
        }

        if (raw.Count == 0)
        {
            return new RecoveredArchive(null, pending, lastSealed?.NextFile, lastSealed?.NextFile is null ? 0 : BinlogMagic.Size,
                lastSealed is null ? null : DurableFromManifest(lastSealed), 0, null, lastSealed?.Segment);
        }

        var lastName = raw[^1];
        var path = layout.RawSegmentPath(lastName);
        if (sealedNames.Contains(lastName))
        {
            File.Delete(path);
            return new RecoveredArchive(null, pending, lastSealed?.NextFile, lastSealed?.NextFile is null ? 0 : BinlogMagic.Size,
                DurableFromManifest(lastSealed!), 0, null, lastSealed?.Segment);
        }

        var last = SegmentScan.Read(path, lastName);
        if (last.EndsWithRotate)
        {
            pending.Add(lastName);
            return new RecoveredArchive(null, pending, last.RotateTo, (long)last.RotatePosition, Durable(last), 0, null, lastSealed?.Segment);
        }

        long truncated = 0;
        string? reason = null;
        if (last.LastBoundary < last.FileLength)
        {
            truncated = last.FileLength - last.LastBoundary;
            reason = last.Outcome switch
            {
                ScanOutcome.TornTail => $"torn tail ({last.Problem})",
                ScanOutcome.Corrupt => $"damaged tail ({last.Problem})",
                _ => "incomplete transaction",
            };
            if (!last.HasFormatDescription || last.LastBoundary <= BinlogMagic.Size)
            {
                File.Delete(path);
                NativeMethods.FsyncDirectory(layout.SegmentsDirectory);
                return new RecoveredArchive(null, pending, lastName, BinlogMagic.Size,
                    lastSealed is null ? null : DurableFromManifest(lastSealed), truncated, reason, lastSealed?.Segment);
            }

            await using (var handle = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                handle.SetLength(last.LastBoundary);
                handle.Flush(flushToDisk: true);
            }

            last = SegmentScan.Read(path, lastName);
        }

        if (!last.HasFormatDescription)
        {
            File.Delete(path);
            NativeMethods.FsyncDirectory(layout.SegmentsDirectory);
            return new RecoveredArchive(null, pending, lastName, BinlogMagic.Size,
                lastSealed is null ? null : DurableFromManifest(lastSealed), truncated, reason, lastSealed?.Segment);
        }

        return new RecoveredArchive(last, pending, lastName, last.LastBoundary, Durable(last), truncated, reason, lastSealed?.Segment);
    }

    internal static DurablePosition Durable(SegmentScan scan) => new(
        scan.Name,
        scan.EndsWithRotate ? scan.ValidLength : scan.LastBoundary,
        scan.Tracker.Gtids?.ToString(),
        scan.LastTransaction?.Id?.ToString(),
        scan.LastTransaction is { } t ? DateTimeOffset.FromUnixTimeSeconds(t.Timestamp) : null,
        scan.Tracker.IsMariaDb ?? false);

    private static DurablePosition DurableFromManifest(ManifestEntry entry) =>
        new(entry.Segment, entry.OriginalSize, entry.GtidsAfter, entry.LastGtid, entry.LastTime, entry.IsMariaDb);
}

using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive;

/// <summary>
/// What <c>archive status</c> shows, read without changing anything: the durable end (rescanned
/// from the open segment, not just taken from state.json), segment counts and sizes, the oldest
/// point a restore can start from, and — when the running archiver reported the master's position
/// in state.json — how far the archive is behind.
/// </summary>
public sealed record ArchiveStatus(
    DurablePosition? Durable,
    int SealedSegments,
    int RawSegments,
    int RetiredSegments,
    long OriginalBytes,
    long StoredBytes,
    string? OldestSegment,
    DateTimeOffset? OldestTime,
    string? OldestGtids,
    ArchiveState? State,
    long? BytesBehind,
    double? SecondsBehind)
{
    public static async ValueTask<ArchiveStatus> ReadAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!Directory.Exists(layout.Root))
        {
            throw new DirectoryNotFoundException($"archive directory {layout.Root} does not exist");
        }

        var manifest = await Manifest.ReadAsync(layout, cancellationToken);
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.RetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        var live = manifest.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind && !retired.Contains(e.Segment)).ToList();
        var raw = layout.RawSegments();
        ArchiveState? state = null;
        try
        {
            state = await ArchiveState.ReadAsync(layout, cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        DurablePosition? durable = null;
        long rawBytes = 0;
        foreach (var name in raw)
        {
            rawBytes += new FileInfo(layout.RawSegmentPath(name)).Length;
        }

        if (raw.Count > 0)
        {
            var scan = SegmentScan.Read(layout.RawSegmentPath(raw[^1]), raw[^1]);
            durable = SegmentRecovery.Durable(scan);
            if (state?.Durable is { } reported && reported.File == durable.File && reported.Offset <= durable.Offset)
            {
                durable = durable with { LastGtid = durable.LastGtid ?? reported.LastGtid, LastTransactionTime = durable.LastTransactionTime ?? reported.LastTransactionTime };
            }
        }
        else if (live.Count > 0)
        {
            var last = live[^1];
            durable = new DurablePosition(last.Segment, last.OriginalSize, last.GtidsAfter, last.LastGtid, last.LastTime, last.IsMariaDb);
        }

        long? bytesBehind = null;
        double? secondsBehind = null;
        if (state is { MasterFile: { } masterFile, MasterPosition: { } masterPosition } && durable is not null)
        {
            if (masterFile == durable.File)
            {
                bytesBehind = Math.Max(0, masterPosition - durable.Offset);
            }

            if (state.MasterEventTime is { } masterTime && durable.LastTransactionTime is { } durableTime)
            {
                secondsBehind = Math.Max(0, (masterTime - durableTime).TotalSeconds);
            }
        }

        var oldest = live.FirstOrDefault();
        return new ArchiveStatus(
            durable,
            live.Count,
            raw.Count,
            retired.Count,
            live.Sum(e => e.OriginalSize) + rawBytes,
            live.Sum(e => e.StoredSize) + rawBytes,
            oldest?.Segment ?? raw.FirstOrDefault(),
            oldest?.FirstTime,
            oldest?.GtidsBefore,
            state,
            bytesBehind,
            secondsBehind);
    }
}

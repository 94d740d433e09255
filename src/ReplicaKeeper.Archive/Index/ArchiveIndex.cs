using System.Text.Json;
using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Index;

/// <summary>A place to start reading: the segment and an offset at a transaction start at or before the target.</summary>
public sealed record ArchiveLocation(string Segment, long Offset, DateTimeOffset? Time, string? Gtid);

/// <summary>
/// Maps a time, a GTID or a binlog position to a sealed segment and a nearby offset, from the
/// per-segment index files alone (no segment is opened). The offset is the closest indexed
/// transaction start at or before the target; a reader scans forward from there.
/// </summary>
public sealed class ArchiveIndex
{
    private readonly IReadOnlyList<SegmentIndex> _segments;

    private ArchiveIndex(IReadOnlyList<SegmentIndex> segments) => _segments = segments;

    public IReadOnlyList<SegmentIndex> Segments => _segments;

    public static async ValueTask<ArchiveIndex> LoadAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var manifest = await Manifest.ReadAsync(layout, cancellationToken);
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.RetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        var list = new List<SegmentIndex>();
        foreach (var entry in manifest.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind && !retired.Contains(e.Segment)))
        {
            var path = layout.IndexPath(entry.Segment);
            if (File.Exists(path))
            {
                await using var stream = File.OpenRead(path);
                if (await JsonSerializer.DeserializeAsync<SegmentIndex>(stream, ArchiveJson.Options, cancellationToken) is { } index)
                {
                    list.Add(index);
                }
            }
        }

        return new ArchiveIndex(list);
    }

    /// <summary>The first transaction committed at or after <paramref name="time"/> lies at or after the returned offset.</summary>
    public ArchiveLocation? LocateTime(DateTimeOffset time)
    {
        var segment = _segments.FirstOrDefault(s => s.LastTime is { } last && last >= time);
        if (segment is null)
        {
            return null;
        }

        var point = segment.Points.LastOrDefault(p => p.Time < time) ?? segment.Points.FirstOrDefault();
        return point is null
            ? new ArchiveLocation(segment.Segment, segment.FirstPosition, segment.FirstTime, null)
            : new ArchiveLocation(segment.Segment, point.Offset, point.Time, point.Gtid);
    }

    /// <summary>The segment that holds <paramref name="gtid"/> (not in its starting state, in its end state) and an offset before it.</summary>
    public ArchiveLocation? LocateGtid(TransactionId gtid)
    {
        foreach (var segment in _segments)
        {
            var before = segment.GtidsBefore is null ? GtidState.Empty(gtid.IsMariaDb) : GtidState.Parse(segment.GtidsBefore, gtid.IsMariaDb);
            var after = segment.GtidsAfter is null ? null : GtidState.Parse(segment.GtidsAfter, gtid.IsMariaDb);
            if (before.Contains(gtid) || after is null || !after.Contains(gtid))
            {
                continue;
            }

            IndexPoint? best = null;
            foreach (var point in segment.Points)
            {
                if (point.Gtid is not null && TransactionId.TryParse(point.Gtid, out var id) && SameStream(id, gtid) && Order(id) <= Order(gtid))
                {
                    best = point;
                }
            }

            return best is null
                ? new ArchiveLocation(segment.Segment, segment.FirstPosition, segment.FirstTime, null)
                : new ArchiveLocation(segment.Segment, best.Offset, best.Time, best.Gtid);
        }

        return null;
    }

    /// <summary>The indexed transaction start at or before <paramref name="offset"/> in <paramref name="segment"/>.</summary>
    public ArchiveLocation? LocatePosition(string segment, long offset)
    {
        var index = _segments.FirstOrDefault(s => s.Segment == segment);
        if (index is null || offset > index.EndPosition)
        {
            return null;
        }

        var point = index.Points.LastOrDefault(p => p.Offset <= offset);
        return point is null
            ? new ArchiveLocation(segment, index.FirstPosition, index.FirstTime, null)
            : new ArchiveLocation(segment, point.Offset, point.Time, point.Gtid);
    }

    private static bool SameStream(TransactionId a, TransactionId b) =>
        a.IsMariaDb ? b.IsMariaDb && a.Domain == b.Domain : !b.IsMariaDb && a.Sid == b.Sid && a.Tag == b.Tag;

    private static decimal Order(TransactionId id) => id.IsMariaDb ? id.Sequence : id.Gno;
}

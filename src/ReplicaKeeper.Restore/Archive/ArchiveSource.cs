using System.Text.Json;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Index;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Framing;

namespace ReplicaKeeper.Restore.Archive;

/// <summary>
/// The segments of an archive directory in sequence order, read back as their original binlog bytes:
/// sealed segments named by the manifest (retired ones excluded), raw segments under DIR/segments,
/// and, for archives that are plain copies of a master's files, binlog files directly in DIR.
/// When a name exists in several places the sealed copy wins, then the raw one.
/// </summary>
public sealed class ArchiveSource
{
    private readonly ArchiveKey? _key;

    private ArchiveSource(ArchiveLayout layout, ArchiveKey? key, IReadOnlyList<ArchivedSegment> segments)
    {
        Layout = layout;
        _key = key;
        Segments = segments;
    }

    public ArchiveLayout Layout { get; }

    public IReadOnlyList<ArchivedSegment> Segments { get; }

    /// <summary>The key encrypted segments and snapshots are opened with (null: none configured).</summary>
    public ArchiveKey? Key => _key;

    public static async ValueTask<ArchiveSource> OpenAsync(string directory, ArchiveKey? key, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"archive directory {directory} does not exist");
        }

        var layout = new ArchiveLayout(directory);
        var byName = new Dictionary<string, ArchivedSegment>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(layout.Root))
        {
            var name = System.IO.Path.GetFileName(file);
            if (SegmentName.TryParse(name, out var parsed) && !name.EndsWith(".index", StringComparison.Ordinal))
            {
                byName[name] = new ArchivedSegment(name, parsed.Sequence, SegmentStorage.Plain, file, null, null);
            }
        }

        foreach (var name in layout.RawSegments())
        {
            SegmentName.TryParse(name, out var parsed);
            byName[name] = new ArchivedSegment(name, parsed.Sequence, SegmentStorage.Raw, layout.RawSegmentPath(name), null, null);
        }

        var manifest = await Manifest.ReadAsync(layout, cancellationToken).ConfigureAwait(false);
        foreach (var entry in manifest.Entries)
        {
            if (!SegmentName.TryParse(entry.Segment, out var parsed))
            {
                continue;
            }

            if (entry.Kind == ManifestEntry.RetireKind)
            {
                byName.Remove(entry.Segment);
            }
            else if (entry.Kind == ManifestEntry.SegmentKind && entry.StoredName is not null)
            {
                byName[entry.Segment] = new ArchivedSegment(entry.Segment, parsed.Sequence, SegmentStorage.Sealed, layout.SealedPath(entry.StoredName), entry, null);
            }
        }

        var segments = new List<ArchivedSegment>();
        foreach (var segment in byName.Values.OrderBy(s => s.Name, SegmentName.Comparer))
        {
            segments.Add(segment with { Index = await ReadIndexAsync(layout, segment.Name, cancellationToken).ConfigureAwait(false) });
        }

        return new ArchiveSource(layout, key, segments);
    }

    /// <summary>The segment's original binlog bytes (decrypted and decompressed when sealed).</summary>
    public Stream Open(ArchivedSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        return segment.Storage == SegmentStorage.Sealed ? SegmentCodec.OpenReader(file, _key, segment.Name) : file;
    }

    /// <summary>
    /// Checks that <paramref name="segments"/> form one unbroken sequence (no missing number, each
    /// file's ROTATE naming the next) and that each one reads back whole: framing and CRC32 of every
    /// event, and for sealed segments the original SHA-256 the manifest recorded. Throws
    /// <see cref="ArchiveGapException"/> naming the first problem.
    /// </summary>
    public async ValueTask VerifyChainAsync(IReadOnlyList<ArchivedSegment> segments, bool lastMayBeOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (i > 0 && segment.Sequence != segments[i - 1].Sequence + 1)
            {
                throw new ArchiveGapException(
                    $"archive gap: segment(s) between {segments[i - 1].Name} and {segment.Name} are missing (sequence {segments[i - 1].Sequence + 1}..{segment.Sequence - 1})");
            }

            var open = lastMayBeOpen && i == segments.Count - 1 && segment.Storage != SegmentStorage.Sealed;
            await VerifySegmentAsync(segment, open, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask VerifySegmentAsync(ArchivedSegment segment, bool mayBeOpen, CancellationToken cancellationToken)
    {
        if (!File.Exists(segment.Path))
        {
            throw new ArchiveGapException($"archive gap: segment {segment.Name} is recorded but its file {segment.Path} is missing");
        }

        try
        {
            await using var stream = Open(segment);
            await using var hashing = new HashingStream(stream, leaveOpen: true);
            using var scanner = new BinlogFrameScanner(hashing, segment.Name, new BinlogFrameScannerOptions(), leaveOpen: true);
            while (await scanner.MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
            }

            if (scanner.End == BinlogScanEnd.TornTail && !mayBeOpen)
            {
                throw new ArchiveGapException($"archive gap: segment {segment.Name} is truncated after offset {scanner.LastCompleteEventEnd}");
            }

            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            var actual = hashing.HashHex();
            if (segment.Entry?.OriginalSha256 is { } expected && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArchiveGapException($"archive gap: segment {segment.Name} is corrupt (SHA-256 {actual} differs from the manifest's {expected})");
            }
        }
        catch (BinlogFormatException ex)
        {
            throw new ArchiveGapException($"archive gap: segment {segment.Name} is corrupt: {ex.Message}", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new ArchiveGapException($"archive gap: segment {segment.Name} cannot be read back: {ex.Message}", ex);
        }
        catch (ArchiveKeyException ex)
        {
            throw new ArchiveGapException($"archive gap: segment {segment.Name} cannot be decrypted: {ex.Message}", ex);
        }
    }

    private static async ValueTask<SegmentIndex?> ReadIndexAsync(ArchiveLayout layout, string name, CancellationToken cancellationToken)
    {
        var path = layout.IndexPath(name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<SegmentIndex>(stream, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null; // an unreadable index only costs speed: the segment is read instead
        }
    }
}

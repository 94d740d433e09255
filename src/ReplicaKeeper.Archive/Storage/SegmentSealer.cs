using System.Text.Json;
using ReplicaKeeper.Archive.Index;
using ReplicaKeeper.Archive.Segments;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// Turns a closed raw segment into its stored form. Order matters for crash safety:
/// (1) one pass over the raw file checks every event's framing and CRC, builds the index and
/// writes the compressed (encrypted) copy to a temp file, hashing both sides; (2) the copy is
/// read back and must reproduce the original hash; (3) fsync + rename into sealed/; (4) index
/// written atomically; (5) manifest entry appended and fsynced; (6) only then the raw file goes.
/// A crash anywhere leaves the raw file, and sealing is simply repeated.
/// </summary>
public sealed class SegmentSealer
{
    private readonly ArchiveLayout _layout;
    private readonly ArchiveKey? _key;

    public SegmentSealer(ArchiveLayout layout, ArchiveKey? key)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _key = key;
    }

    public async ValueTask<ManifestEntry> SealAsync(string segment, CancellationToken cancellationToken)
    {
        var manifest = await Manifest.ReadAsync(_layout, cancellationToken);
        var rawPath = _layout.RawSegmentPath(segment);
        var existing = manifest.Entries.LastOrDefault(e => e.Kind == ManifestEntry.SegmentKind && e.Segment == segment);
        if (existing is not null)
        {
            File.Delete(rawPath);
            return existing;
        }

        _layout.EnsureCreated();
        var storedName = SegmentCodec.StoredName(segment, _key is not null);
        var storedPath = _layout.SealedPath(storedName);
        var builder = new SegmentIndexBuilder(segment);
        var hashes = await SealedFile.WriteAsync(storedPath, _key, "sealed " + segment, async (original, ct) =>
        {
            await using var raw = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using var tee = new TeeReadStream(raw, original);
            using var scanner = new SegmentScanner(tee, segment);
            ScanOutcome outcome;
            while ((outcome = scanner.Next()) == ScanOutcome.Event)
            {
                builder.Observe(scanner.Event, scanner.Header, scanner.Offset);
            }

            if (outcome != ScanOutcome.End)
            {
                throw new InvalidDataException($"cannot seal {segment}: {scanner.Problem} at offset {scanner.Offset}");
            }
        }, cancellationToken);
        var index = builder.Build();
        NativeMethods.FsyncDirectory(_layout.SealedDirectory);
        await AtomicFile.WriteAllBytesAsync(_layout.IndexPath(segment), JsonSerializer.SerializeToUtf8Bytes(index, ArchiveJson.Indented), cancellationToken);

        var entry = new ManifestEntry
        {
            Segment = segment,
            StoredName = storedName,
            Compression = SegmentCodec.Zstd,
            Encryption = _key is null ? null : SegmentCodec.AesGcm,
            KeyId = _key?.KeyId,
            OriginalSize = hashes.OriginalSize,
            StoredSize = hashes.StoredSize,
            OriginalSha256 = hashes.OriginalSha256,
            StoredSha256 = hashes.StoredSha256,
            FirstPosition = index.FirstPosition,
            LastPosition = index.LastPosition,
            NextFile = index.NextFile,
            IsMariaDb = index.IsMariaDb,
            ServerVersion = index.ServerVersion,
            GtidsBefore = index.GtidsBefore,
            GtidsAfter = index.GtidsAfter,
            FirstGtid = index.FirstGtid,
            LastGtid = index.LastGtid,
            FirstTime = index.FirstTime,
            LastTime = index.LastTime,
            Events = index.Events,
            Transactions = index.Transactions,
            RecordedAt = DateTimeOffset.UtcNow,
        };
        entry = await Manifest.AppendAsync(_layout, entry, cancellationToken);
        File.Delete(rawPath);
        NativeMethods.FsyncDirectory(_layout.SegmentsDirectory);
        return entry;
    }
}

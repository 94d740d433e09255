using System.Security.Cryptography;
using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Transactions;

namespace ReplicaKeeper.Archive.Verification;

/// <summary>
/// Checks an archive end to end without changing it: the manifest chain (each line names the hash
/// of the one before, sequence numbers), the segment sequence (bin.000001, 2, 3... with each ROTATE
/// naming the next), every stored segment's size and SHA-256, that it decrypts/decompresses to
/// the recorded original size and SHA-256, every event's CRC32 and log_pos continuity, GTIDs that
/// neither repeat nor go backwards and connect across segments, and the raw segments not sealed yet.
/// Snapshot lines (kept ones) are checked too: stored file present, its size and SHA-256, and that it
/// decrypts/decompresses to the recorded original size and SHA-256.
/// </summary>
public sealed class ArchiveVerifier
{
    private readonly ArchiveLayout _layout;
    private readonly ArchiveKey? _key;
    private readonly List<ArchiveProblem> _problems = [];
    private readonly List<string> _notes = [];
    private long _events;
    private long _transactions;
    private long _original;
    private long _stored;

    public ArchiveVerifier(ArchiveLayout layout, ArchiveKey? key)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _key = key;
    }

    /// <summary>Runs every check. Throws <see cref="ArchiveKeyException"/> when encrypted segments cannot be read with the configured key.</summary>
    public async ValueTask<VerifyReport> VerifyAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_layout.Root))
        {
            throw new DirectoryNotFoundException($"archive directory {_layout.Root} does not exist");
        }

        var manifest = await Manifest.ReadAsync(_layout, cancellationToken);
        CheckKey(manifest);
        CheckChain(manifest);
        var segments = manifest.Lines.Where(l => l.Entry is { Kind: ManifestEntry.SegmentKind }).ToList();
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.RetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        CheckSequence(segments);

        string? previousGtidsAfter = null;
        string? previousSegment = null;
        foreach (var line in segments)
        {
            var entry = line.Entry!;
            if (retired.Contains(entry.Segment))
            {
                previousGtidsAfter = entry.GtidsAfter;
                previousSegment = entry.Segment;
                continue;
            }

            var actualBefore = await VerifySealedAsync(line, cancellationToken);
            CheckGtidLink(previousSegment, previousGtidsAfter, entry.Segment, actualBefore ?? entry.GtidsBefore, entry.IsMariaDb);
            previousGtidsAfter = entry.GtidsAfter;
            previousSegment = entry.Segment;
        }

        CheckUnrecordedSealedFiles(manifest);
        await VerifySnapshotsAsync(manifest, cancellationToken);
        var lastGtids = VerifyRawSegments(segments.LastOrDefault()?.Entry, ref previousSegment, ref previousGtidsAfter);
        var raw = _layout.RawSegments();
        return new VerifyReport(_problems, _notes, segments.Count - segments.Count(s => retired.Contains(s.Entry!.Segment)), raw.Count, _original, _stored,
            _events, _transactions, segments.FirstOrDefault()?.Entry?.Segment ?? raw.FirstOrDefault(), raw.LastOrDefault() ?? previousSegment, lastGtids ?? previousGtidsAfter);
    }

    private void CheckKey(Manifest manifest)
    {
        var encrypted = manifest.Entries.Where(e => e.Kind is ManifestEntry.SegmentKind or ManifestEntry.SnapshotKind && e.Encryption is not null).ToList();
        if (encrypted.Count == 0)
        {
            return;
        }

        var keyIds = encrypted.Select(e => e.KeyId).Distinct(StringComparer.Ordinal).ToList();
        if (_key is null)
        {
            throw new ArchiveKeyException(
                $"{encrypted.Count} segment(s) are encrypted (key id {string.Join(", ", keyIds)}) and no archive key is configured; pass --key-file or set {ArchiveKey.DefaultEnvironmentVariable}");
        }

        if (!keyIds.Contains(_key.KeyId, StringComparer.Ordinal))
        {
            throw new ArchiveKeyException(
                $"wrong archive key: segments were encrypted with key id {string.Join(", ", keyIds)}, the configured key has id {_key.KeyId}");
        }
    }

    private void CheckChain(Manifest manifest)
    {
        var expectedPrev = ManifestEntry.GenesisHash;
        foreach (var line in manifest.Lines)
        {
            if (line.Entry is null)
            {
                Problem(new ArchiveProblem($"not a valid manifest entry: {line.Error}", ManifestLine: line.Number));
            }
            else
            {
                if (!string.Equals(line.Entry.Prev, expectedPrev, StringComparison.Ordinal))
                {
                    Problem(new ArchiveProblem(
                        $"hash chain broken: entry names previous hash {Short(line.Entry.Prev)} but the line before hashes to {Short(expectedPrev)} (a manifest line was changed, removed or reordered)",
                        line.Entry.Segment, ManifestLine: line.Number));
                }

                if (line.Entry.Sequence != line.Number)
                {
                    Problem(new ArchiveProblem($"entry has sequence {line.Entry.Sequence} but is line {line.Number} (lines reordered, removed or inserted)",
                        line.Entry.Segment, ManifestLine: line.Number));
                }
            }

            expectedPrev = line.Hash;
        }
    }

    private void CheckSequence(List<ManifestLine> segments)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ManifestEntry? previous = null;
        foreach (var line in segments)
        {
            var entry = line.Entry!;
            if (!seen.Add(entry.Segment))
            {
                Problem(new ArchiveProblem("recorded twice in the manifest", entry.Segment, ManifestLine: line.Number));
            }

            if (previous is not null)
            {
                if (!SegmentName.TryParse(previous.Segment, out var prev) || !SegmentName.TryParse(entry.Segment, out var current))
                {
                    Problem(new ArchiveProblem("not a binlog file name", entry.Segment, ManifestLine: line.Number));
                }
                else if (current.BaseName != prev.BaseName || current.Sequence != prev.Sequence + 1)
                {
                    var missing = current.BaseName == prev.BaseName && current.Sequence > prev.Sequence + 1
                        ? $" ({prev.Next}{(current.Sequence > prev.Sequence + 2 ? $" to {current with { Sequence = current.Sequence - 1 }}" : "")} missing)"
                        : " (out of order)";
                    Problem(new ArchiveProblem($"segment sequence gap: follows {previous.Segment}{missing}", entry.Segment, ManifestLine: line.Number));
                }

                if (previous.NextFile is not null && previous.NextFile != entry.Segment)
                {
                    Problem(new ArchiveProblem($"{previous.Segment} ends with ROTATE to {previous.NextFile}, but the next segment is {entry.Segment}",
                        entry.Segment, ManifestLine: line.Number));
                }
            }

            previous = entry;
        }
    }

    /// <summary>Checks one sealed segment; returns the GTID state its PREVIOUS_GTIDS / GTID_LIST names.</summary>
    private async ValueTask<string?> VerifySealedAsync(ManifestLine line, CancellationToken cancellationToken)
    {
        var entry = line.Entry!;
        if (entry.StoredName is null)
        {
            Problem(new ArchiveProblem("manifest entry names no stored file", entry.Segment, ManifestLine: line.Number));
            return null;
        }

        var path = _layout.SealedPath(entry.StoredName);
        if (!File.Exists(path))
        {
            Problem(new ArchiveProblem($"stored file {Path.Combine("sealed", entry.StoredName)} is missing (deleted?)", entry.Segment, ManifestLine: line.Number));
            return null;
        }

        var storedSha = await HashFileAsync(path, cancellationToken);
        var storedSize = new FileInfo(path).Length;
        _stored += storedSize;
        if (storedSize != entry.StoredSize)
        {
            Problem(new ArchiveProblem($"stored file is {storedSize} bytes, the manifest recorded {entry.StoredSize} (truncated or changed)", entry.Segment, ManifestLine: line.Number));
        }

        if (!string.Equals(storedSha, entry.StoredSha256, StringComparison.Ordinal))
        {
            Problem(new ArchiveProblem($"stored file SHA-256 {Short(storedSha)} differs from the manifest's {Short(entry.StoredSha256)} (changed)", entry.Segment, ManifestLine: line.Number));
        }

        await using var file = File.OpenRead(path);
        try
        {
            await using var reader = SegmentCodec.OpenReader(file, _key, entry.Segment);
            await using var hash = new HashingStream(reader);
            var result = ScanEvents(hash, entry.Segment, entry.IsMariaDb);
            // drain whatever follows a damaged event so the hash covers everything
            await hash.CopyToAsync(Stream.Null, cancellationToken);
            _original += hash.Count;
            if (hash.Count != entry.OriginalSize)
            {
                Problem(new ArchiveProblem($"decodes to {hash.Count} bytes, the manifest recorded {entry.OriginalSize}", entry.Segment, ManifestLine: line.Number));
            }
            else if (!string.Equals(hash.HashHex(), entry.OriginalSha256, StringComparison.Ordinal))
            {
                Problem(new ArchiveProblem($"decoded SHA-256 {Short(hash.HashHex())} differs from the manifest's {Short(entry.OriginalSha256)}", entry.Segment, ManifestLine: line.Number));
            }

            if (result.GtidsAfter is not null && entry.GtidsAfter is not null && result.GtidsAfter != entry.GtidsAfter)
            {
                Problem(new ArchiveProblem($"ends at GTID state {result.GtidsAfter}, the manifest recorded {entry.GtidsAfter}", entry.Segment, ManifestLine: line.Number));
            }

            return result.GtidsBefore;
        }
        catch (ArchiveKeyException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or CryptographicException)
        {
            Problem(new ArchiveProblem($"cannot be decrypted/decompressed: {ex.Message}", entry.Segment, ManifestLine: line.Number));
            return null;
        }
    }

    private (string? GtidsBefore, string? GtidsAfter, bool IsMariaDb) ScanEvents(Stream stream, string segment, bool? isMariaDb, bool tailMayBeOpen = false)
    {
        using var scanner = new SegmentScanner(stream, segment);
        var tracker = new TransactionTracker(isMariaDb);
        ScanOutcome outcome;
        while ((outcome = scanner.Next()) == ScanOutcome.Event)
        {
            _events++;
            var role = tracker.Observe(scanner.Event, scanner.Header, scanner.Offset);
            if (role == EventRole.End && tracker.LastCompleted is { } tx)
            {
                _transactions++;
                if (tx.IsDuplicate && tx.Id is { } id)
                {
                    Problem(new ArchiveProblem(
                        tracker.IsMariaDb == true ? "GTID does not advance its domain (repeated or out of order)" : "GTID is already contained earlier (transaction doubled)",
                        segment, tx.StartOffset, id.ToString()));
                }
            }
        }

        var gtid = tracker.CurrentTransaction?.ToString();
        switch (outcome)
        {
            case ScanOutcome.Corrupt:
                Problem(new ArchiveProblem(scanner.Problem ?? "corrupt event", segment, scanner.Offset, gtid));
                break;
            case ScanOutcome.TornTail when tailMayBeOpen:
                _notes.Add($"{segment}: {scanner.Problem} at {scanner.NextOffset} (the archiver is writing it or will cut it on restart)");
                break;
            case ScanOutcome.TornTail:
                Problem(new ArchiveProblem($"ends inside an event: {scanner.Problem}", segment, scanner.NextOffset, gtid));
                break;
            case ScanOutcome.End when !tracker.AtBoundary && !tailMayBeOpen:
                Problem(new ArchiveProblem("ends inside a transaction", segment, scanner.NextOffset, gtid));
                break;
        }

        return (tracker.InitialGtids?.ToString(), tracker.Gtids?.ToString(), tracker.IsMariaDb ?? false);
    }

    private void CheckGtidLink(string? previousSegment, string? previousAfter, string segment, string? before, bool isMariaDb)
    {
        if (previousSegment is null || previousAfter is null || before is null)
        {
            return;
        }

        if (!SameState(previousAfter, before, isMariaDb))
        {
            Problem(new ArchiveProblem(
                $"GTIDs not contiguous: {previousSegment} ends at {previousAfter} but {segment} starts after {before}", segment));
        }
    }

    private static bool SameState(string a, string b, bool isMariaDb)
    {
        try
        {
            return GtidState.Parse(a, isMariaDb).ToString() == GtidState.Parse(b, isMariaDb).ToString();
        }
        catch (FormatException)
        {
            return string.Equals(a, b, StringComparison.Ordinal);
        }
    }

    private void CheckUnrecordedSealedFiles(Manifest manifest)
    {
        if (!Directory.Exists(_layout.SealedDirectory))
        {
            return;
        }

        var recorded = manifest.Entries.Select(e => e.StoredName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_layout.SealedDirectory).Select(Path.GetFileName).OfType<string>())
        {
            if (!recorded.Contains(file) && !file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                Problem(new ArchiveProblem($"sealed/{file} is not recorded in the manifest"));
            }
        }
    }

    private string? VerifyRawSegments(ManifestEntry? lastSealed, ref string? previousSegment, ref string? previousGtidsAfter)
    {
        var raw = _layout.RawSegments();
        string? lastGtids = null;
        for (var i = 0; i < raw.Count; i++)
        {
            var name = raw[i];
            if (previousSegment is not null && SegmentName.TryParse(previousSegment, out var prev) && SegmentName.TryParse(name, out var current)
                && (current.BaseName != prev.BaseName || current.Sequence != prev.Sequence + 1))
            {
                Problem(new ArchiveProblem($"segment sequence gap: raw segment follows {previousSegment}", name));
            }

            if (i == 0 && lastSealed?.NextFile is { } next && next != name)
            {
                Problem(new ArchiveProblem($"{lastSealed.Segment} ends with ROTATE to {next}, but the next segment is {name}", name));
            }

            var path = _layout.RawSegmentPath(name);
            _original += new FileInfo(path).Length;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
            var (before, after, isMariaDb) = ScanEvents(stream, name, null, tailMayBeOpen: i == raw.Count - 1);
            CheckGtidLink(previousSegment, previousGtidsAfter, name, before, isMariaDb);
            previousSegment = name;
            previousGtidsAfter = after;
            lastGtids = after;
        }

        return lastGtids;
    }

    private async ValueTask VerifySnapshotsAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        var retired = manifest.Entries.Where(e => e.Kind == ManifestEntry.SnapshotRetireKind).Select(e => e.Segment).ToHashSet(StringComparer.Ordinal);
        foreach (var line in manifest.Lines.Where(l => l.Entry is { Kind: ManifestEntry.SnapshotKind } e && !retired.Contains(e.Segment)))
        {
            var entry = line.Entry!;
            var path = entry.StoredName is null ? null : Path.Combine(_layout.Root, entry.StoredName);
            if (path is null || !File.Exists(path))
            {
                Problem(new ArchiveProblem($"snapshot file {entry.StoredName} is missing", entry.Segment, ManifestLine: line.Number));
                continue;
            }

            var storedSha = await HashFileAsync(path, cancellationToken);
            if (new FileInfo(path).Length != entry.StoredSize || !string.Equals(storedSha, entry.StoredSha256, StringComparison.Ordinal))
            {
                Problem(new ArchiveProblem($"snapshot file {entry.StoredName} differs from the manifest (size or SHA-256 {Short(storedSha)}; tampered or damaged)", entry.Segment, ManifestLine: line.Number));
                continue;
            }

            try
            {
                await using var file = File.OpenRead(path);
                await using var reader = SegmentCodec.OpenReader(file, _key, entry.Segment);
                await using var hash = new HashingStream(reader);
                await hash.CopyToAsync(Stream.Null, cancellationToken);
                if (hash.Count != entry.OriginalSize || !string.Equals(hash.HashHex(), entry.OriginalSha256, StringComparison.Ordinal))
                {
                    Problem(new ArchiveProblem($"snapshot decodes to {hash.Count} bytes with SHA-256 {Short(hash.HashHex())}, the manifest recorded {entry.OriginalSize} and {Short(entry.OriginalSha256)}", entry.Segment, ManifestLine: line.Number));
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or ZstdSharp.ZstdException or CryptographicException)
            {
                Problem(new ArchiveProblem($"snapshot cannot be decrypted/decompressed: {ex.Message}", entry.Segment, ManifestLine: line.Number));
            }
        }
    }

    private static async ValueTask<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static string Short(string? hash) => hash is null ? "(none)" : hash.Length > 16 ? hash[..16] + "…" : hash;

    private void Problem(ArchiveProblem problem) => _problems.Add(problem);
}

using System.Security.Cryptography;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// Checks the off-site copy of an archive. Remote-specific checks: the remote manifest is present and
/// whole, its chain equals the local manifest's (it may lag behind by lines not uploaded yet, never
/// differ or run ahead), every object a live manifest entry names exists with the recorded size and
/// SHA-256, and no object is there that the manifest does not name. Then the copy is downloaded into a
/// staging directory laid out as an archive and <see cref="ArchiveVerifier"/> runs its full checks on it
/// (chain, sequence, decryption, decompression, every event's CRC32, GTID continuity) — the same
/// per-segment checks as for the local archive, not a second implementation. Without the key for an
/// encrypted copy, only the remote-specific checks and the chain run, and a note says so.
/// </summary>
public sealed class RemoteVerifier
{
    private readonly IOffsiteStore _store;
    private readonly ArchiveLayout? _local;
    private readonly ArchiveKey? _key;
    private readonly string? _stagingParent;
    private readonly List<ArchiveProblem> _problems = [];
    private readonly List<string> _notes = [];

    /// <param name="store">The off-site store.</param>
    /// <param name="local">The local archive to compare with, or null to verify the remote copy alone.</param>
    /// <param name="key">The archive key (for encrypted copies).</param>
    /// <param name="stagingParent">Where to download the copy for the deep check (default: the temp directory); removed afterwards.</param>
    public RemoteVerifier(IOffsiteStore store, ArchiveLayout? local, ArchiveKey? key, string? stagingParent = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _local = local;
        _key = key;
        _stagingParent = stagingParent;
    }

    public async Task<RemoteVerifyReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var listing = new Dictionary<string, OffsiteObject>(StringComparer.Ordinal);
        await foreach (var item in _store.ListAsync(cancellationToken))
        {
            listing[item.Name] = item;
        }

        var staging = Directory.CreateDirectory(Path.Combine(_stagingParent ?? Path.GetTempPath(), "rk-remote-" + Guid.NewGuid().ToString("N")[..12]));
        try
        {
            return await VerifyStagedAsync(listing, new ArchiveLayout(staging.FullName), cancellationToken);
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    private async Task<RemoteVerifyReport> VerifyStagedAsync(Dictionary<string, OffsiteObject> listing, ArchiveLayout staged, CancellationToken cancellationToken)
    {
        var local = _local is null ? null : await Manifest.ReadAsync(_local, cancellationToken);
        if (!listing.ContainsKey(OffsiteNames.Manifest))
        {
            Problem($"the remote {OffsiteNames.Manifest} is missing{(listing.Count > 0 ? $" ({listing.Count} object(s) without a manifest)" : " (nothing uploaded yet?)")}");
            return Report(0, local, 0, 0, null);
        }

        staged.EnsureCreated();
        await DownloadAsync(OffsiteNames.Manifest, staged.ManifestPath, cancellationToken);
        if (await HasTornTailAsync(staged.ManifestPath, cancellationToken))
        {
            Problem($"the remote {OffsiteNames.Manifest} ends inside a line (incomplete upload or damage)");
        }

        var remote = await Manifest.ReadAsync(staged, cancellationToken);
        if (local is not null)
        {
            CompareManifests(remote, local);
        }

        // Which objects the remote manifest names, and which of them retention has retired since
        // (objects of retired entries may stay in the store: the off-site copy can be kept longer).
        var retired = OffsiteNames.Retired(remote.Entries);
        var named = new HashSet<string>(StringComparer.Ordinal) { OffsiteNames.Manifest };
        var live = new List<ManifestLine>();
        foreach (var line in remote.Lines)
        {
            if (line.Entry is { } entry && OffsiteNames.For(entry) is { } name)
            {
                named.Add(name);
                if (!OffsiteNames.IsRetired(entry, retired))
                {
                    live.Add(line);
                }
            }
        }

        foreach (var extra in listing.Keys.Where(n => !named.Contains(n)).Order(StringComparer.Ordinal))
        {
            Problem($"remote object {extra} ({listing[extra].Size} bytes) is not named by the remote manifest (added or left over)");
        }

        var retiredKept = remote.Entries.Where(e => OffsiteNames.IsRetired(e, retired)).Select(OffsiteNames.For).Count(n => n is not null && listing.ContainsKey(n));
        if (retiredKept > 0)
        {
            _notes.Add($"{retiredKept} object(s) of retired segments are still kept remotely");
        }

        // Remote objects: present, size and SHA-256 as the manifest recorded.
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var objects = 0;
        long bytes = 0;
        foreach (var line in live)
        {
            var entry = line.Entry!;
            var name = OffsiteNames.For(entry)!;
            if (!listing.TryGetValue(name, out var item))
            {
                Problem($"remote object {name} is missing (deleted or never uploaded)", entry.Segment, line.Number);
                failed.Add(entry.Segment);
                continue;
            }

            var (size, sha) = await DownloadAsync(name, OffsiteNames.LocalPath(staged, name), cancellationToken);
            objects++;
            bytes += size;
            if (size != entry.StoredSize || item.Size != entry.StoredSize)
            {
                Problem($"remote object {name} is {size} bytes, the manifest recorded {entry.StoredSize} (truncated or altered)", entry.Segment, line.Number);
                failed.Add(entry.Segment);
            }
            else if (!string.Equals(sha, entry.StoredSha256, StringComparison.Ordinal))
            {
                Problem($"remote object {name} has SHA-256 {Short(sha)}, the manifest recorded {Short(entry.StoredSha256)} (altered)", entry.Segment, line.Number);
                failed.Add(entry.Segment);
            }
        }

        var contents = await VerifyContentsAsync(staged, remote, failed, cancellationToken);
        return Report(remote.Lines.Count, local, objects, bytes, contents);
    }

    /// <summary>The full archive checks on the downloaded copy; problems of objects already named above are not repeated.</summary>
    private async Task<VerifyReport?> VerifyContentsAsync(ArchiveLayout staged, Manifest remote, HashSet<string> failed, CancellationToken cancellationToken)
    {
        var encrypted = remote.Entries.Where(e => e.Kind == ManifestEntry.SegmentKind && e.Encryption is not null).Select(e => e.KeyId).Distinct(StringComparer.Ordinal).ToList();
        if (encrypted.Count > 0 && (_key is null || !encrypted.Contains(_key.KeyId, StringComparer.Ordinal)))
        {
            _notes.Add(_key is null
                ? "segment contents not checked: the copy is encrypted and no archive key is configured (sizes, SHA-256 and the manifest chain were checked)"
                : $"segment contents not checked: the copy is encrypted with key id {string.Join(", ", encrypted)}, the configured key has id {_key.KeyId}");
            CheckChain(remote);
            return null;
        }

        var report = await new ArchiveVerifier(staged, _key).VerifyAsync(cancellationToken);
        foreach (var problem in report.Problems.Where(p => p.Segment is null || !failed.Contains(p.Segment)))
        {
            _problems.Add(problem with { Message = "remote copy: " + problem.Message });
        }

        _notes.AddRange(report.Notes.Select(n => "remote copy: " + n));
        return report;
    }

    private void CompareManifests(Manifest remote, Manifest local)
    {
        var common = Math.Min(remote.Lines.Count, local.Lines.Count);
        for (var i = 0; i < common; i++)
        {
            if (remote.Lines[i].Hash != local.Lines[i].Hash)
            {
                Problem($"the remote manifest differs from the local one from line {i + 1} on (remote {Short(remote.Lines[i].Hash)}, local {Short(local.Lines[i].Hash)})",
                    remote.Lines[i].Entry?.Segment ?? local.Lines[i].Entry?.Segment, i + 1);
                return;
            }
        }

        if (remote.Lines.Count > local.Lines.Count)
        {
            Problem($"the remote manifest has {remote.Lines.Count - local.Lines.Count} line(s) the local one lacks (local manifest truncated, or another archive uploaded here)",
                remote.Lines[common].Entry?.Segment, common + 1);
        }
        else if (remote.Lines.Count < local.Lines.Count)
        {
            _notes.Add($"the remote copy is {local.Lines.Count - remote.Lines.Count} manifest line(s) behind the local archive (not uploaded yet)");
        }
    }

    private void CheckChain(Manifest manifest)
    {
        var previous = ManifestEntry.GenesisHash;
        foreach (var line in manifest.Lines)
        {
            if (line.Entry is null)
            {
                Problem($"remote manifest line is not a valid entry: {line.Error}", line: line.Number);
            }
            else if (line.Entry.Prev != previous || line.Entry.Sequence != line.Number)
            {
                Problem("remote manifest hash chain broken (a line was changed, removed or reordered)", line.Entry.Segment, line.Number);
            }

            previous = line.Hash;
        }
    }

    private async Task<(long Size, string Sha256)> DownloadAsync(string name, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var source = await _store.OpenReadAsync(name, cancellationToken);
        await using var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using var hash = new HashingStream(target, leaveOpen: true);
        await source.CopyToAsync(hash, cancellationToken);
        return (hash.Count, hash.HashHex());
    }

    private static async Task<bool> HasTornTailAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return bytes.Length > 0 && bytes[^1] != (byte)'\n';
    }

    private RemoteVerifyReport Report(int remoteLines, Manifest? local, int objects, long bytes, VerifyReport? contents) =>
        new(_store.Target, _problems, _notes, remoteLines, local?.Lines.Count, objects, bytes, contents);

    private void Problem(string message, string? segment = null, int? line = null) =>
        _problems.Add(new ArchiveProblem(message, segment, ManifestLine: line));

    private static string Short(string? hash) => hash is null ? "(none)" : hash.Length > 16 ? hash[..16] + "…" : hash;
}

using System.Security.Cryptography;
using ReplicaKeeper.Archive.Storage;
using Serilog;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// Copies the sealed part of an archive to an off-site store: every stored file the manifest names
/// and the store lacks, then the manifest itself, last, as it was read at the start of the pass, so
/// the remote manifest never names an object the store does not hold. Idempotent and resumable:
/// what is in the ledger (<see cref="OffsiteLedger"/>) or already in the store with the same SHA-256 is
/// not sent again; a pass cut at any point leaves a consistent remote copy (the older manifest) and
/// the next pass continues. Local files are checked against the manifest before they go, so damage
/// is never copied over a good remote copy.
/// </summary>
public sealed class OffsiteUploader
{
    private readonly ArchiveLayout _layout;
    private readonly IOffsiteStore _store;
    private readonly ILogger _logger;

    public OffsiteUploader(ArchiveLayout layout, IOffsiteStore store, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(store);
        _layout = layout;
        _store = store;
        _logger = logger ?? Serilog.Core.Logger.None;
    }

    /// <summary>One pass. Throws <see cref="OffsiteException"/> when the store fails or the local archive is damaged.</summary>
    public async Task<OffsiteUploadResult> UploadAsync(CancellationToken cancellationToken)
    {
        var manifest = await Manifest.ReadAsync(_layout, cancellationToken);
        var ledger = await OffsiteLedger.ReadAsync(_layout, _store.Target, cancellationToken);
        if (manifest.Lines.Count == 0)
        {
            return new OffsiteUploadResult([], 0, 0, 0, false);
        }

        CheckChain(manifest);
        var manifestBytes = await SnapshotManifestAsync(manifest, cancellationToken);
        var retired = OffsiteNames.Retired(manifest.Entries);
        var uploaded = new List<string>();
        var alreadyThere = 0;
        long bytes = 0;
        foreach (var line in manifest.Lines)
        {
            var entry = line.Entry!;
            if (OffsiteNames.For(entry) is not { } name || ledger.Has(name, entry.StoredSha256 ?? ""))
            {
                continue;
            }

            var path = OffsiteNames.LocalPath(_layout, name);
            if (!File.Exists(path))
            {
                if (OffsiteNames.IsRetired(entry, retired))
                {
                    _logger.Warning("Not copied off-site: {Segment} was retired before it was uploaded", entry.Segment);
                    continue;
                }

                throw new OffsiteException($"{entry.Segment}: {name} is named by manifest line {line.Number} but missing locally; run 'archive verify' (nothing further uploaded)");
            }

            var remote = await _store.HeadAsync(name, cancellationToken);
            if (remote is not null && remote.Size == entry.StoredSize && string.Equals(remote.Sha256, entry.StoredSha256, StringComparison.Ordinal))
            {
                alreadyThere++;
            }
            else
            {
                await PutFileAsync(name, path, entry, cancellationToken);
                uploaded.Add(name);
                bytes += entry.StoredSize;
            }

            ledger.Objects[name] = new OffsiteLedgerObject(entry.StoredSize, entry.StoredSha256!, DateTimeOffset.UtcNow);
            await ledger.WriteAsync(_layout, cancellationToken);
        }

        var head = manifest.Lines[^1].Hash;
        var manifestUploaded = false;
        if (ledger.ManifestLines != manifest.Lines.Count || ledger.ManifestHeadHash != head)
        {
            using var content = new MemoryStream(manifestBytes, writable: false);
            await _store.PutAsync(OffsiteNames.Manifest, content, Convert.ToHexStringLower(SHA256.HashData(manifestBytes)), cancellationToken);
            ledger = ledger with { ManifestLines = manifest.Lines.Count, ManifestHeadHash = head };
            await ledger.WriteAsync(_layout, cancellationToken);
            manifestUploaded = true;
            bytes += manifestBytes.Length;
            _logger.Information("Off-site manifest now holds {Lines} lines ({Target})", manifest.Lines.Count, _store.Target);
        }

        return new OffsiteUploadResult(uploaded, alreadyThere, bytes, manifest.Lines.Count, manifestUploaded);
    }

    private async Task PutFileAsync(string name, string path, ManifestEntry entry, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        if (file.Length != entry.StoredSize || !string.Equals(sha, entry.StoredSha256, StringComparison.Ordinal))
        {
            throw new OffsiteException($"{entry.Segment}: local {name} does not match the manifest (size or SHA-256 differs); not uploaded, run 'archive verify'");
        }

        file.Position = 0;
        await _store.PutAsync(name, file, sha, cancellationToken);
        _logger.Information("Copied {Object} ({Bytes} bytes) to {Target}", name, entry.StoredSize, _store.Target);
    }

    /// <summary>The manifest's bytes up to the end of the lines read (appends made since are left for the next pass).</summary>
    private async Task<byte[]> SnapshotManifestAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(_layout.ManifestPath, cancellationToken);
        var end = 0;
        var start = 0;
        for (var i = 0; i < manifest.Lines.Count; i++)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', end);
            if (nl < 0)
            {
                throw new OffsiteException("manifest.jsonl changed while it was read; try again");
            }

            start = end;
            end = nl + 1;
        }

        if (Manifest.Hash(bytes.AsSpan(start, end - 1 - start)) != manifest.Lines[^1].Hash)
        {
            throw new OffsiteException("manifest.jsonl was rewritten while it was read (it is append-only); run 'archive verify'");
        }

        return bytes[..end];
    }

    private static void CheckChain(Manifest manifest)
    {
        var previous = ManifestEntry.GenesisHash;
        foreach (var line in manifest.Lines)
        {
            if (line.Entry is null || line.Entry.Prev != previous || line.Entry.Sequence != line.Number)
            {
                throw new OffsiteException($"local manifest.jsonl line {line.Number} is damaged or out of chain; nothing uploaded, run 'archive verify'");
            }

            previous = line.Hash;
        }
    }
}

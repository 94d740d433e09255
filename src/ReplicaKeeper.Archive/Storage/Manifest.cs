using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>
/// The append-only manifest (manifest.jsonl): one JSON object per line, each naming the SHA-256 of
/// the line before it. Appends are fsynced. A last line without its newline (a crash during the
/// append) is ignored on read and cut off before the next append.
/// </summary>
public sealed class Manifest
{
    private Manifest(IReadOnlyList<ManifestLine> lines)
    {
        Lines = lines;
        Entries = lines.Where(l => l.Entry is not null).Select(l => l.Entry!).ToList();
    }

    public IReadOnlyList<ManifestLine> Lines { get; }

    public IReadOnlyList<ManifestEntry> Entries { get; }

    /// <summary>Hash the next line must name as <see cref="ManifestEntry.Prev"/>.</summary>
    public string HeadHash => Lines.Count == 0 ? ManifestEntry.GenesisHash : Lines[^1].Hash;

    public static string Hash(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line));

    public static async ValueTask<Manifest> ReadAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!File.Exists(layout.ManifestPath))
        {
            return new Manifest([]);
        }

        var bytes = await File.ReadAllBytesAsync(layout.ManifestPath, cancellationToken);
        var lines = new List<ManifestLine>();
        var start = 0;
        var number = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            if (nl < 0)
            {
                break; // torn last line
            }

            number++;
            var line = bytes.AsSpan(start, nl - start);
            ManifestEntry? entry = null;
            string? error = null;
            try
            {
                entry = JsonSerializer.Deserialize<ManifestEntry>(line, ArchiveJson.Options);
            }
            catch (JsonException ex)
            {
                error = ex.Message;
            }

            lines.Add(new ManifestLine(number, Encoding.UTF8.GetString(line), Hash(line), entry, error ?? (entry is null ? "empty entry" : null)));
            start = nl + 1;
        }

        return new Manifest(lines);
    }

    /// <summary>
    /// Appends an entry chained to the current head, fsyncs, and returns it as written. Appends are serialised (an
    /// exclusive lock on manifest.lock, held from reading the head to the fsync), so concurrent writers — the sealer,
    /// snapshots, retention, in one process or several — never write two entries naming the same predecessor.
    /// </summary>
    public static async ValueTask<ManifestEntry> AppendAsync(ArchiveLayout layout, ManifestEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(entry);
        await using var exclusive = await LockAsync(layout, cancellationToken);
        return await AppendLockedAsync(layout, entry, cancellationToken);
    }

    /// <summary>
    /// Takes the manifest's append lock (an exclusive flock on manifest.lock; .NET maps FileShare.None to it on Unix),
    /// waiting while another writer holds it.
    /// </summary>
    private static async ValueTask<FileStream> LockAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        var path = Path.Combine(layout.Root, "manifest.lock");
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
            }
        }
    }

    private static async ValueTask<ManifestEntry> AppendLockedAsync(ArchiveLayout layout, ManifestEntry entry, CancellationToken cancellationToken)
    {
        var current = await ReadAsync(layout, cancellationToken);
        var chained = entry with { Prev = current.HeadHash, Sequence = current.Lines.Count + 1 };
        var line = JsonSerializer.SerializeToUtf8Bytes(chained, ArchiveJson.Options);
        var created = !File.Exists(layout.ManifestPath);
        await using (var stream = new FileStream(layout.ManifestPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read))
        {
            // Cut a torn last line left by a crash in the middle of an append.
            var keep = ValidLength(stream);
            stream.SetLength(keep);
            stream.Position = keep;
            await stream.WriteAsync(line, cancellationToken);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            NativeMethods.FsyncDirectory(layout.Root);
        }

        return chained;
    }

    private static long ValidLength(FileStream stream)
    {
        var length = stream.Length;
        if (length == 0)
        {
            return 0;
        }

        var buffer = new byte[4096];
        var end = length;
        while (end > 0)
        {
            var count = (int)Math.Min(buffer.Length, end);
            stream.Position = end - count;
            stream.ReadExactly(buffer, 0, count);
            var nl = Array.LastIndexOf(buffer, (byte)'\n', count - 1);
            if (nl >= 0)
            {
                return end - count + nl + 1;
            }

            end -= count;
        }

        return 0;
    }
}

/// <summary>One manifest line as read: its number (1-based), text, hash, and the entry or a parse error.</summary>
public sealed record ManifestLine(int Number, string Text, string Hash, ManifestEntry? Entry, string? Error);

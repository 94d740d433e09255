namespace ReplicaKeeper.Archive;

/// <summary>Crash-safe whole-file replacement: write a temp file, fsync it, rename over the target, fsync the directory.</summary>
public static class AtomicFile
{
    public static async ValueTask WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp");
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        NativeMethods.FsyncDirectory(directory);
    }
}

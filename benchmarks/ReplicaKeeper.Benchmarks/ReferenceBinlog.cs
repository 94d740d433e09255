namespace ReplicaKeeper.Benchmarks;

/// <summary>
/// The reference binlog made by benchmarks/make-reference-binlog.sh (not committed): path from
/// $REFERENCE_BINLOG, default /var/tmp/replicakeeper/reference.binlog. Loaded into memory once so the
/// benchmarks measure decoding, not the disk.
/// </summary>
internal static class ReferenceBinlog
{
    public const string DefaultPath = "/var/tmp/replicakeeper/reference.binlog";

    private static byte[]? _bytes;

    public static string Path => Environment.GetEnvironmentVariable("REFERENCE_BINLOG") is { Length: > 0 } p ? p : DefaultPath;

    public static byte[] Bytes => _bytes ??= Load();

    private static byte[] Load()
    {
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException(
                $"reference binlog {Path} is missing: run `bash benchmarks/make-reference-binlog.sh` (or set REFERENCE_BINLOG)", Path);
        }

        return File.ReadAllBytes(Path);
    }
}

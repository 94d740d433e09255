using System.Globalization;

namespace ReplicaKeeper.Archive;

/// <summary>
/// Where things live in an archive directory:
/// <code>
/// DIR/segments/bin.000007         raw segments: the one being written, and closed ones not sealed yet
/// DIR/sealed/bin.000006.zst[.aes] closed segments, compressed (and encrypted)
/// DIR/index/bin.000006.json       per-segment index (summary + sparse offsets)
/// DIR/manifest.jsonl              append-only, hash-chained record of sealed (and retired) segments
/// DIR/state.json                  last durable position, written atomically (informational)
/// </code>
/// </summary>
public sealed class ArchiveLayout
{
    public ArchiveLayout(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string SegmentsDirectory => Path.Combine(Root, "segments");

    public string SealedDirectory => Path.Combine(Root, "sealed");

    public string IndexDirectory => Path.Combine(Root, "index");

    public string ManifestPath => Path.Combine(Root, "manifest.jsonl");

    public string StatePath => Path.Combine(Root, "state.json");

    public string RawSegmentPath(string segment) => Path.Combine(SegmentsDirectory, CheckName(segment));

    public string IndexPath(string segment) => Path.Combine(IndexDirectory, CheckName(segment) + ".json");

    public string SealedPath(string storedName) => Path.Combine(SealedDirectory, storedName);

    public void EnsureCreated()
    {
        Directory.CreateDirectory(SegmentsDirectory);
        Directory.CreateDirectory(SealedDirectory);
        Directory.CreateDirectory(IndexDirectory);
    }

    /// <summary>Raw segment names in sequence order.</summary>
    public IReadOnlyList<string> RawSegments()
    {
        if (!Directory.Exists(SegmentsDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(SegmentsDirectory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => SegmentName.TryParse(n, out _))
            .OrderBy(n => n, SegmentName.Comparer)
            .ToList();
    }

    private static string CheckName(string segment)
    {
        if (!SegmentName.TryParse(segment, out _))
        {
            throw new ArgumentException($"'{segment}' is not a binlog file name (base.NNNNNN)", nameof(segment));
        }

        return segment;
    }
}

/// <summary>A binlog file name: base name + '.' + decimal sequence number (bin.000003).</summary>
public readonly record struct SegmentName(string BaseName, long Sequence, int Digits)
{
    public static IComparer<string> Comparer { get; } = Comparer<string>.Create((a, b) =>
    {
        var okA = TryParse(a, out var x);
        var okB = TryParse(b, out var y);
        if (!okA || !okB)
        {
            return string.CompareOrdinal(a, b);
        }

        var c = string.CompareOrdinal(x.BaseName, y.BaseName);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    });

    public SegmentName Next => this with { Sequence = Sequence + 1 };

    public override string ToString() =>
        BaseName + "." + Sequence.ToString(CultureInfo.InvariantCulture).PadLeft(Digits, '0');

    public static bool TryParse(string? name, out SegmentName result)
    {
        result = default;
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        var dot = name.LastIndexOf('.');
        if (dot <= 0 || dot == name.Length - 1)
        {
            return false;
        }

        var digits = name[(dot + 1)..];
        if (!digits.All(char.IsAsciiDigit) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        result = new SegmentName(name[..dot], seq, digits.Length);
        return true;
    }
}

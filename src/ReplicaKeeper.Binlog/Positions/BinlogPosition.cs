using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// A place in a server's binary log: a file name and a byte offset in it, written "file:offset"
/// (e.g. <c>bin.000003:1547</c>). The offset of an event is where it starts; the position after a
/// transaction is the offset just past its last event (the header's log_pos).
/// Immutable; <see cref="Parse"/>/<see cref="TryParse"/> and <see cref="ToString"/> round-trip exactly.
/// Ordered by file (base name, then numeric extension) and then offset.
/// </summary>
public readonly record struct BinlogPosition(string File, ulong Offset) : IComparable<BinlogPosition>
{
    /// <summary>Offset of the first event of every binlog file (after the 4-byte magic).</summary>
    public const ulong FirstEventOffset = 4;

    /// <summary>The start of <paramref name="file"/>.</summary>
    public static BinlogPosition StartOf(string file) => new(file, FirstEventOffset);

    public override string ToString() => File + ":" + Offset.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses "file:offset"; throws <see cref="FormatException"/> naming the text otherwise.</summary>
    public static BinlogPosition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var position, out var error)
            ? position
            : throw new FormatException($"Malformed binlog position '{text}': {error}. Expected FILE:OFFSET, e.g. bin.000003:1547.");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out BinlogPosition position) =>
        TryParse(text, out position, out _);

    private static bool TryParse(string? text, out BinlogPosition position, out string error)
    {
        position = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty";
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "missing ':' between file and offset";
            return false;
        }

        var file = text[..colon];
        var offsetText = text[(colon + 1)..];
        if (file.Length == 0)
        {
            error = "empty file name";
            return false;
        }

        if (file.Trim().Length != file.Length || file.Contains('/', StringComparison.Ordinal) || file.Contains('\\', StringComparison.Ordinal))
        {
            error = "file name must be a bare name without surrounding spaces or directories";
            return false;
        }

        if (offsetText.Length == 0 || !offsetText.All(char.IsAsciiDigit)
            || !ulong.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            error = $"offset '{offsetText}' is not an unsigned decimal number";
            return false;
        }

        if (offsetText.Length > 1 && offsetText[0] == '0')
        {
            error = $"offset '{offsetText}' has leading zeros";
            return false;
        }

        position = new BinlogPosition(file, offset);
        error = "";
        return true;
    }

    /// <summary>
    /// Orders positions as the server writes them: by file (same base name compares the numeric
    /// extension, so bin.999999 &lt; bin.1000000), then by offset.
    /// </summary>
    public int CompareTo(BinlogPosition other)
    {
        var byFile = CompareFiles(File, other.File);
        return byFile != 0 ? byFile : Offset.CompareTo(other.Offset);
    }

    public static bool operator <(BinlogPosition left, BinlogPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(BinlogPosition left, BinlogPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(BinlogPosition left, BinlogPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(BinlogPosition left, BinlogPosition right) => left.CompareTo(right) >= 0;

    /// <summary>Compares binlog file names: base name ordinally, then the numeric extension by value.</summary>
    public static int CompareFiles(string? left, string? right)
    {
        left ??= "";
        right ??= "";
        var leftDot = left.LastIndexOf('.');
        var rightDot = right.LastIndexOf('.');
        if (leftDot >= 0 && rightDot >= 0
            && left.AsSpan(0, leftDot).SequenceEqual(right.AsSpan(0, rightDot))
            && ulong.TryParse(left.AsSpan(leftDot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var leftIndex)
            && ulong.TryParse(right.AsSpan(rightDot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var rightIndex))
        {
            return leftIndex.CompareTo(rightIndex);
        }

        return string.CompareOrdinal(left, right);
    }
}

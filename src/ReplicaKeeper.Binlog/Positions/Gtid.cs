using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// One MySQL global transaction id: source UUID, optional tag (MySQL 8.4+) and sequence number,
/// written "3e11fa47-71ca-11e1-9e33-c80aa9429562:23" or "3e11fa47-71ca-11e1-9e33-c80aa9429562:tag1:23".
/// The tag is stored in its canonical (lower-case) form; null means untagged.
/// </summary>
public readonly record struct Gtid
{
    public Gtid(Guid sourceId, string? tag, long sequence)
    {
        if (sequence < 1 || sequence > GtidInterval.MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"a GTID sequence number is 1..{GtidInterval.MaxSequence}");
        }

        SourceId = sourceId;
        Tag = GtidTag.Normalize(tag);
        Sequence = sequence;
    }

    public Gtid(Guid sourceId, long sequence)
        : this(sourceId, null, sequence)
    {
    }

    public Guid SourceId { get; }

    public string? Tag { get; }

    public long Sequence { get; }

    public override string ToString() =>
        SourceUuid.Format(SourceId) + (Tag is null ? "" : ":" + Tag) + ":" + Sequence.ToString(CultureInfo.InvariantCulture);

    public static Gtid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var gtid)
            ? gtid
            : throw new FormatException($"Malformed GTID '{text}': expected UUID:NUMBER or UUID:TAG:NUMBER.");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Gtid gtid)
    {
        gtid = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Trim().Split(':');
        if (parts.Length is < 2 or > 3 || !SourceUuid.TryParse(parts[0].Trim(), out var uuid))
        {
            return false;
        }

        string? tag = null;
        if (parts.Length == 3)
        {
            tag = parts[1].Trim();
            if (!GtidTag.IsValid(tag))
            {
                return false;
            }
        }

        var number = parts[^1].Trim();
        if (number.Length == 0 || !number.All(char.IsAsciiDigit)
            || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || sequence < 1 || sequence > GtidInterval.MaxSequence)
        {
            return false;
        }

        gtid = new Gtid(uuid, tag, sequence);
        return true;
    }
}

using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Archive.Verification;

/// <summary>One thing wrong with an archive, located as precisely as known.</summary>
public sealed record ArchiveProblem(string Message, string? Segment = null, long? Offset = null, string? Gtid = null, int? ManifestLine = null)
{
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (ManifestLine is { } line)
        {
            sb.Append(CultureInfo.InvariantCulture, $"manifest line {line}: ");
        }

        if (Segment is not null)
        {
            sb.Append(Segment);
            if (Offset is { } offset)
            {
                sb.Append(CultureInfo.InvariantCulture, $" at {offset}");
            }

            if (Gtid is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $" (GTID {Gtid})");
            }

            sb.Append(": ");
        }

        sb.Append(Message);
        return sb.ToString();
    }
}

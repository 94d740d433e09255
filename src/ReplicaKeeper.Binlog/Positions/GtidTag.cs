namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// Rules for MySQL 8.4+ GTID tags: <c>[a-z_][a-z0-9_]{0,31}</c>, accepted in any case and
/// normalized to lower case (as the server does).
/// </summary>
public static class GtidTag
{
    public const int MaxLength = 32;

    /// <summary>True when <paramref name="tag"/> is a valid (non-empty) tag in any case.</summary>
    public static bool IsValid(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxLength)
        {
            return false;
        }

        for (var i = 0; i < tag.Length; i++)
        {
            var c = tag[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The canonical form of a tag: null for untagged (null or empty input), lower case otherwise.
    /// Throws <see cref="FormatException"/> naming the text for an invalid tag.
    /// </summary>
    public static string? Normalize(string? tag)
    {
        if (string.IsNullOrEmpty(tag))
        {
            return null;
        }

        if (!IsValid(tag))
        {
            throw new FormatException(
                $"Invalid GTID tag '{tag}': a tag is 1-{MaxLength} characters of letters, digits and '_' and does not start with a digit.");
        }

        return tag.ToLowerInvariant();
    }

    /// <summary>Orders tags as MySQL does: untagged first, then ordinal by the lower-case tag.</summary>
    internal static int Compare(string? left, string? right) => string.CompareOrdinal(left ?? "", right ?? "");
}

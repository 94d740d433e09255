using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>Text form of a GTID set: parsing (tolerant like MySQL) and canonical printing.</summary>
public sealed partial class GtidSet
{
    private const int MaxQuotedLength = 200;

    /// <summary>
    /// Parses MySQL's GTID set text: comma-separated <c>UUID[:TAG]:N[-M][:N[-M]...][:TAG:N...]</c>;
    /// whitespace and newlines are allowed around every token, empty entries between commas are
    /// ignored and "" is the empty set. Throws <see cref="FormatException"/> naming the text and the
    /// place of the first error. Stricter than MySQL in two ways: numbers are decimal only and a
    /// reversed interval ("7-3") is an error rather than ignored.
    /// </summary>
    public static GtidSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCore(text, out var set, out var error) ? set : throw new FormatException(error);
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out GtidSet? set)
    {
        if (text is null)
        {
            set = null;
            return false;
        }

        if (TryParseCore(text, out var parsed, out _))
        {
            set = parsed;
            return true;
        }

        set = null;
        return false;
    }

    private static bool TryParseCore(string text, out GtidSet set, out string error)
    {
        set = Empty;
        error = "";
        var parts = new Dictionary<(Guid Id, string? Tag), List<GtidInterval>>();
        var i = 0;
        SkipWhitespace(text, ref i);
        while (true)
        {
            while (i < text.Length && text[i] == ',')
            {
                i++;
                SkipWhitespace(text, ref i);
            }

            if (i >= text.Length)
            {
                set = FromBuilder(parts);
                return true;
            }

            if (i + SourceUuid.TextLength > text.Length || !SourceUuid.TryParse(text.AsSpan(i, SourceUuid.TextLength), out var uuid))
            {
                error = Describe(text, i, "expected a source UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
                return false;
            }

            i += SourceUuid.TextLength;
            SkipWhitespace(text, ref i);
            string? tag = null;
            while (i < text.Length && text[i] == ':')
            {
                i++;
                SkipWhitespace(text, ref i);
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }

                    if (i - start > GtidTag.MaxLength)
                    {
                        error = Describe(text, start, $"a tag is at most {GtidTag.MaxLength} characters");
                        return false;
                    }

                    tag = text.Substring(start, i - start).ToLowerInvariant();
                    SkipWhitespace(text, ref i);
                    if (i < text.Length && text[i] != ':' && text[i] != ',')
                    {
                        error = Describe(text, i, "expected ':' or ',' after the tag");
                        return false;
                    }

                    continue;
                }

                var firstAt = i;
                if (!TryReadSequence(text, ref i, out var first))
                {
                    error = Describe(text, firstAt, $"expected a tag or a transaction number 1..{GtidInterval.MaxSequence}");
                    return false;
                }

                SkipWhitespace(text, ref i);
                var last = first;
                if (i < text.Length && text[i] == '-')
                {
                    i++;
                    SkipWhitespace(text, ref i);
                    var lastAt = i;
                    if (!TryReadSequence(text, ref i, out last))
                    {
                        error = Describe(text, lastAt, $"expected the interval end, a number 1..{GtidInterval.MaxSequence}");
                        return false;
                    }

                    if (last < first)
                    {
                        error = Describe(text, firstAt, $"interval {first}-{last} ends before it starts");
                        return false;
                    }

                    SkipWhitespace(text, ref i);
                }

                if (!parts.TryGetValue((uuid, tag), out var list))
                {
                    list = [];
                    parts.Add((uuid, tag), list);
                }

                list.Add(new GtidInterval(first, last));
            }

            if (i < text.Length && text[i] != ',')
            {
                error = Describe(text, i, "expected ':', ',' or the end");
                return false;
            }
        }
    }

    private static void SkipWhitespace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }

    private static bool TryReadSequence(string text, ref int i, out long value)
    {
        value = 0;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i > start
            && long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= 1 && value <= GtidInterval.MaxSequence;
    }

    private static string Describe(string text, int at, string reason)
    {
        var quoted = text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength] + "...";
        var near = at >= text.Length ? "<end>" : text.Substring(at, Math.Min(20, text.Length - at));
        return $"Malformed GTID set '{quoted}': {reason} at character {at + 1} (near '{near}').";
    }

    /// <summary>Canonical single-line text: MySQL's format with "," between source UUIDs.</summary>
    public override string ToString() => Format(",");

    /// <summary>Exactly MySQL's @@gtid_executed text: ",\n" between source UUIDs.</summary>
    public string ToMultilineString() => Format(",\n");

    private string Format(string uuidSeparator)
    {
        if (_sources.IsEmpty)
        {
            return "";
        }

        var sb = new StringBuilder();
        Guid? previous = null;
        foreach (var source in _sources)
        {
            if (previous != source.SourceId)
            {
                if (previous is not null)
                {
                    sb.Append(uuidSeparator);
                }

                sb.Append(SourceUuid.Format(source.SourceId));
                previous = source.SourceId;
            }

            if (source.Tag is not null)
            {
                sb.Append(':').Append(source.Tag);
            }

            foreach (var iv in source.Intervals)
            {
                sb.Append(':');
                sb.Append(iv.First.ToString(CultureInfo.InvariantCulture));
                if (iv.Last != iv.First)
                {
                    sb.Append('-').Append(iv.Last.ToString(CultureInfo.InvariantCulture));
                }
            }
        }

        return sb.ToString();
    }
}

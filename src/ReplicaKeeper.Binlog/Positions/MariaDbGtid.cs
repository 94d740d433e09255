using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// One MariaDB global transaction id "domain-server-sequence", e.g. <c>0-1-100</c>.
/// Immutable; <see cref="Parse"/>/<see cref="TryParse"/> and <see cref="ToString"/> round-trip exactly.
/// </summary>
public readonly record struct MariaDbGtid(uint DomainId, uint ServerId, ulong Sequence)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{DomainId}-{ServerId}-{Sequence}");

    public static MariaDbGtid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var gtid)
            ? gtid
            : throw new FormatException($"Malformed MariaDB GTID '{text}': expected DOMAIN-SERVER-SEQUENCE, e.g. 0-1-100.");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out MariaDbGtid gtid) => TryParse(text.AsSpan(), out gtid);

    public static bool TryParse(ReadOnlySpan<char> text, out MariaDbGtid gtid)
    {
        gtid = default;
        text = text.Trim();
        var firstDash = text.IndexOf('-');
        if (firstDash <= 0)
        {
            return false;
        }

        var rest = text[(firstDash + 1)..];
        var secondDash = rest.IndexOf('-');
        if (secondDash <= 0)
        {
            return false;
        }

        if (!TryParseNumber(text[..firstDash], out var domain) || domain > uint.MaxValue
            || !TryParseNumber(rest[..secondDash], out var server) || server > uint.MaxValue
            || !TryParseNumber(rest[(secondDash + 1)..], out var sequence))
        {
            return false;
        }

        gtid = new MariaDbGtid((uint)domain, (uint)server, sequence);
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return !digits.IsEmpty && ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

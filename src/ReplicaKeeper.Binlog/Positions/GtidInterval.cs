using System.Globalization;

namespace ReplicaKeeper.Binlog.Positions;

/// <summary>
/// A run of transaction numbers of one source, both ends inclusive, written "1-5" (or "7" for a
/// single number). Numbers are 1 .. <see cref="MaxSequence"/> as in MySQL.
/// </summary>
public readonly record struct GtidInterval
{
    /// <summary>Largest transaction number MySQL accepts (GNO_END - 1 = 2^63 - 2).</summary>
    public const long MaxSequence = long.MaxValue - 1;

    public GtidInterval(long first, long last)
    {
        if (first < 1 || first > MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(first), first, $"a GTID sequence number is 1..{MaxSequence}");
        }

        if (last < first || last > MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(last), last, $"the interval end must be {first}..{MaxSequence}");
        }

        First = first;
        Last = last;
    }

    public long First { get; }

    public long Last { get; }

    /// <summary>How many transaction numbers the interval holds.</summary>
    public ulong Count => (ulong)(Last - First) + 1;

    public bool Contains(long sequence) => sequence >= First && sequence <= Last;

    public override string ToString() =>
        First == Last
            ? First.ToString(CultureInfo.InvariantCulture)
            : First.ToString(CultureInfo.InvariantCulture) + "-" + Last.ToString(CultureInfo.InvariantCulture);
}

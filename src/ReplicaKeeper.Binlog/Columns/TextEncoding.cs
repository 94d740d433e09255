using System.Text;

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// Maps a MySQL/MariaDB collation id (from the TABLE_MAP charset metadata) to the character set
/// used to turn a column's bytes into text. Collation 63 is <c>binary</c>: such columns are bytes,
/// not text. Unknown ids decode as UTF-8 (the default character set of both servers).
/// </summary>
public static class TextEncoding
{
    public const int BinaryCollation = 63;

    private static readonly Dictionary<int, int> CodePages = BuildCodePages();
    private static readonly Encoding Utf8Lenient = new UTF8Encoding(false, false);
    private static readonly Encoding Utf16Be = new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
    private static readonly Encoding Utf32Be = new UTF32Encoding(bigEndian: true, byteOrderMark: false);
    private static bool _providerRegistered;

    /// <summary>MySQL's latin1 is Windows-1252 with the five undefined bytes mapped to C1 controls.</summary>
    private static readonly char[] Cp1252High =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    public static bool IsBinary(int collationId) => collationId == BinaryCollation;

    /// <summary>True when the bytes of this collation are UTF-8 (or unknown, decoded as UTF-8).</summary>
    public static bool IsUtf8(int collationId) =>
        !IsBinary(collationId) && !IsLatin1(collationId) && GetSpecialEncoding(collationId) is null;

    public static bool IsLatin1(int collationId) => (collationId & ~0x400) is 5 or 8 or 15 or 31 or 47 or 48 or 49 or 94;

    /// <summary>Decodes column bytes in the collation's character set.</summary>
    public static string GetString(ReadOnlySpan<byte> bytes, int collationId)
    {
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        if (IsLatin1(collationId))
        {
            return string.Create(bytes.Length, bytes, static (chars, b) => DecodeLatin1(b, chars));
        }

        var special = GetSpecialEncoding(collationId);
        return (special ?? Utf8Lenient).GetString(bytes);
    }

    /// <summary>Latin1 (cp1252) to UTF-16; <paramref name="chars"/> must be as long as <paramref name="bytes"/>.</summary>
    public static void DecodeLatin1(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            chars[i] = b is >= 0x80 and < 0xA0 ? Cp1252High[b - 0x80] : (char)b;
        }
    }

    /// <summary>The encoding for collations that are neither UTF-8, latin1 nor binary; null otherwise.</summary>
    public static Encoding? GetSpecialEncoding(int collationId)
    {
        var id = collationId is >= 1024 and < 2048 ? collationId - 1024 : collationId; // MariaDB NOPAD variants
        switch (id)
        {
            case 11 or 65:
                return Encoding.ASCII;
            case 35 or 90 or (>= 128 and <= 151) or 159 or 54 or 55 or (>= 101 and <= 124):
                return Utf16Be; // ucs2 and utf16 are big-endian UTF-16
            case 56 or 62:
                return Encoding.Unicode; // utf16le
            case 60 or 61 or (>= 160 and <= 183):
                return Utf32Be;
        }

        if (CodePages.TryGetValue(id, out var codePage))
        {
            if (!_providerRegistered)
            {
                Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
                _providerRegistered = true;
            }

            try
            {
                return Encoding.GetEncoding(codePage);
            }
            catch (NotSupportedException)
            {
                return null;
            }
        }

        return null;
    }

    private static Dictionary<int, int> BuildCodePages()
    {
        var map = new Dictionary<int, int>();
        void Add(int codePage, params int[] ids)
        {
            foreach (var id in ids)
            {
                map[id] = codePage;
            }
        }

        Add(1251, 14, 23, 50, 51, 52);        // cp1251
        Add(1250, 26, 34, 44, 66, 99);        // cp1250
        Add(28592, 2, 9, 21, 27, 77);         // latin2
        Add(936, 28, 87, 24, 86);             // gbk, gb2312
        Add(950, 1, 84);                      // big5
        Add(932, 13, 88);                     // sjis
        Add(949, 19, 85);                     // euckr
        Add(20866, 7, 74);                    // koi8r
        Add(28597, 25, 70);                   // greek
        Add(28598, 16, 71);                   // hebrew
        Add(1256, 57, 67);                    // cp1256
        Add(1257, 29, 58, 59);                // cp1257
        Add(28599, 30, 78);                   // latin5
        Add(850, 4, 80);                      // cp850
        Add(866, 36, 68);                     // cp866
        Add(874, 18, 69);                     // tis620
        return map;
    }
}

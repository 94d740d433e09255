using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace ReplicaKeeper.Binlog.Tests.Framing;

/// <summary>
/// Binlog files captured from real servers (TestData/, see TestData/README.md) together with
/// the reference tool's decoding of each (mariadb-binlog / mysqlbinlog -vv --base64-output=decode-rows).
/// </summary>
public static partial class TestBinlogs
{
    public const string MariaDb = "mariadb-10.11";
    public const string MySql = "mysql-9.7";

    public static string Directory([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(thisFile)!)!, "TestData");

    public static string PathOf(string flavor, string file) => Path.Combine(Directory(), flavor, file);

    public static byte[] Bytes(string flavor, string file) => File.ReadAllBytes(PathOf(flavor, file));

    /// <summary>What the reference tool printed for the file.</summary>
    public static string ToolOutput(string flavor, string file) => File.ReadAllText(PathOf(flavor, file) + ".txt");

    /// <summary>Every (flavor, file) pair captured.</summary>
    public static IEnumerable<object[]> All()
    {
        foreach (var flavor in new[] { MariaDb, MySql })
        {
            foreach (var path in System.IO.Directory.GetFiles(Path.Combine(Directory(), flavor), "bin.??????").Order(StringComparer.Ordinal))
            {
                yield return [flavor, Path.GetFileName(path)];
            }
        }
    }

    /// <summary>Distinct "# at N" positions the tool printed (one per event start).</summary>
    public static SortedSet<long> ToolEventPositions(string flavor, string file) =>
        [.. AtLine().Matches(ToolOutput(flavor, file)).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^# at (\d+)$", RegexOptions.Multiline)]
    private static partial Regex AtLine();
}

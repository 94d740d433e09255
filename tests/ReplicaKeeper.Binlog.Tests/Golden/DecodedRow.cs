using System.Globalization;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Binlog.Tests.Golden;

/// <summary>A snapshot of one decoded row image: per column the comparable text (null for NULL/absent).</summary>
public sealed record DecodedRow(string Table, IReadOnlyDictionary<string, string?> Values, IReadOnlyDictionary<string, ValueKind> Kinds)
{
    public static DecodedRow From(RowImage image)
    {
        var values = new Dictionary<string, string?>();
        var kinds = new Dictionary<string, ValueKind>();
        for (var i = 0; i < image.ColumnCount; i++)
        {
            var name = image.Column(i).DisplayName;
            kinds[name] = image[i].Kind;
            values[name] = Comparable(image, i);
        }

        return new DecodedRow(image.Table!.Table, values, kinds);
    }

    /// <summary>The value in the form the server's comparison query produces (see GoldenRowsTests.ServerExpression).</summary>
    public static string? Comparable(RowImage image, int i)
    {
        var v = image[i];
        return v.Kind switch
        {
            ValueKind.Absent or ValueKind.Null => null,
            ValueKind.Binary => Convert.ToHexString(image.GetBinary(i)),
            ValueKind.Geometry or ValueKind.Vector => Convert.ToHexString(image.GetBytes(i)),
            ValueKind.Single => v.Single.ToString("R", CultureInfo.InvariantCulture),
            ValueKind.Double => v.Double.ToString("R", CultureInfo.InvariantCulture),
            _ => image.GetString(i),
        };
    }
}

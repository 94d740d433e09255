using ReplicaKeeper.Binlog.Json;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Json;

/// <summary>The expression builder on hand-made binary documents (no server): which documents need it, and its SQL.</summary>
public sealed class JsonSqlExpressionTests
{
    // [12.50] with 12.50 an opaque DECIMAL(4,2): small array, one entry (type 0x0F, offset 7), then field type 246,
    // length 4, precision 4, scale 2, binary decimal 12|50 with the sign bit set
    private static readonly byte[] DecimalArray = [0x02, 0x01, 0x00, 0x0D, 0x00, 0x0F, 0x07, 0x00, 0xF6, 0x04, 0x04, 0x02, 0x8C, 0x32];

    // [1]: the int16 inline in its entry
    private static readonly byte[] PlainArray = [0x02, 0x01, 0x00, 0x07, 0x00, 0x05, 0x01, 0x00];

    [Fact]
    public void A_document_without_opaque_values_keeps_the_text_path()
    {
        Assert.Null(JsonSqlExpression.TryBuild(PlainArray, _ => "?"));
    }

    [Fact]
    public void A_decimal_becomes_a_cast_to_its_precision_and_scale_with_its_exact_digits()
    {
        var values = new List<object>();
        var sql = JsonSqlExpression.TryBuild(DecimalArray, v =>
        {
            values.Add(v);
            return "?";
        });

        Assert.Equal("JSON_ARRAY(CAST(? AS DECIMAL(4,2)))", sql);
        Assert.Equal(["12.50"], values);
        Assert.Equal("JSON_ARRAY(CAST('12.50' AS DECIMAL(4,2)))", JsonSqlExpression.TryBuild(DecimalArray, v => $"'{v}'"));
    }
}

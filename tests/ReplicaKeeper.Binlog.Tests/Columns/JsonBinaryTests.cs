using System.Buffers;
using System.Text;
using ReplicaKeeper.Binlog.Json;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Columns;

public class JsonBinaryTests
{
    private static string Double(double d)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MySqlJsonFormat.WriteDouble(d, buffer);
        return Encoding.ASCII.GetString(buffer.WrittenSpan);
    }

    // my_gcvt with the JSON field width: shortest digits, 'e' outside 1e-15..1e15, ".0" for integral values.
    [Theory]
    [InlineData(3.0, "3.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e20, "1e20")]
    [InlineData(1e15, "1e15")]
    [InlineData(123456789012345.0, "123456789012345.0")]
    [InlineData(-1.5e-7, "-0.00000015")] // as SELECT prints it (golden test)
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e-16, "1e-16")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(-2.5e300, "-2.5e300")]
    public void Doubles_print_like_mysql(double value, string expected) => Assert.Equal(expected, Double(value));

    [Fact]
    public void Small_object_with_inlined_and_offset_values_prints_keys_in_stored_order()
    {
        // {"a": 1, "bb": "x"}: count 2, size, key entries (offset, length), value entries (type, inline/offset), keys, values.
        byte[] doc =
        [
            0x00, // small object
            2, 0, 23, 0,            // count 2, size 23
            18, 0, 1, 0,            // key "a" at 18
            19, 0, 2, 0,            // key "bb" at 19
            0x05, 1, 0,             // int16 1 inline
            0x0C, 21, 0,            // string at 21
            (byte)'a', (byte)'b', (byte)'b',
            1, (byte)'x',           // string length 1, "x"
        ];
        Assert.Equal("""{"a": 1, "bb": "x"}""", JsonBinary.ToJsonText(doc));
    }

    [Fact]
    public void Large_array_inlines_int32_and_reads_offsets_of_four_bytes()
    {
        byte[] doc =
        [
            0x03,                         // large array
            2, 0, 0, 0, 28, 0, 0, 0,      // count 2, size 28
            0x07, 0xFF, 0xFF, 0xFF, 0xFF, // int32 -1 inline (large form)
            0x04, 2, 0, 0, 0,             // literal false inline
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Equal("[-1, false]", JsonBinary.ToJsonText(doc));
    }

    [Fact]
    public void Strings_escape_quotes_and_control_characters()
    {
        byte[] doc = [0x0C, 6, (byte)'"', (byte)'\\', (byte)'\n', 0x01, (byte)'/', (byte)'é' & 0xFF];
        var text = JsonBinary.ToJsonText(doc[..7].Concat(new byte[] { 0x41 }).ToArray());
        Assert.Equal("\"\\\"\\\\\\n\\u0001/A\"", text);
    }

    [Fact]
    public void Opaque_decimal_prints_its_exact_digits()
    {
        // opaque NEWDECIMAL(246): length 6, precision 5, scale 2, binary of 123.45 (DECIMAL(5,2) = 3 bytes).
        byte[] doc = [0x0F, 246, 5, 5, 2, 0x80 | 0x00, 123, 45];
        Assert.Equal("123.45", JsonBinary.ToJsonText(doc));
    }

    [Fact]
    public void Truncated_or_unknown_values_are_format_errors()
    {
        Assert.Throws<BinlogFormatException>(() => JsonBinary.ToJsonText([0x00, 5, 0]));
        Assert.Throws<BinlogFormatException>(() => JsonBinary.ToJsonText([0x0C, 10, 1]));
        Assert.Throws<BinlogFormatException>(() => JsonBinary.ToJsonText([0x0E]));
    }

    [Fact]
    public void Diff_paths_with_quoted_keys_and_indexes_apply_in_order()
    {
        // before {"a": [1, 2]} ; REPLACE $.a[1] = 5 ; INSERT $."b c" = true ; REMOVE $.a[0]
        byte[] before =
        [
            0x00, 1, 0, 0, 0, 0, 0, 0, // placeholder, replaced below
        ];
        _ = before;
        var array = new byte[] { 0x02, 2, 0, 10, 0, 0x05, 1, 0, 0x05, 2, 0 };
        var beforeDoc = new List<byte> { 0x00, 1, 0 };
        var size = 4 + 4 + 3 + 1 + (array.Length - 1);
        beforeDoc.AddRange([(byte)size, 0, 11, 0, 1, 0, 0x02, 12, 0, (byte)'a']);
        beforeDoc.AddRange(array[1..]);
        Assert.Equal("""{"a": [1, 2]}""", JsonBinary.ToJsonText(beforeDoc.ToArray()));
        var diffs = new List<byte>();
        diffs.AddRange([0, 6, .. "$.a[1]"u8.ToArray(), 3, 0x05, 5, 0]);
        diffs.AddRange([1, 7, .. "$.\"b c\""u8.ToArray(), 2, 0x04, 1]);
        diffs.AddRange([2, 6, .. "$.a[0]"u8.ToArray()]);
        Assert.Equal("""{"a": [5], "b c": true}""", JsonDiff.Apply(beforeDoc.ToArray(), diffs.ToArray()));
    }
}

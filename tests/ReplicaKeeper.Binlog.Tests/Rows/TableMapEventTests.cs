using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Rows;

public class TableMapEventTests
{
    private static TableMapEvent Read(byte[] body, FormatContext context)
    {
        var reader = new BinlogReader(body, EventHeader.Size);
        return TableMapEvent.Read(ref reader, TableMapBytes.Header(BinlogEventType.TableMap, body.Length), context);
    }

    [Fact]
    public void Table_id_is_four_bytes_when_the_post_header_is_six()
    {
        var body = TableMapBytes.TableMap(0x0A0B0C0D, fourByteId: true, [3], [], [0], []);
        var map = Read(body, TableMapBytes.Context(tableMapPostHeader: 6));
        Assert.Equal(0x0A0B0C0DUL, map.TableId);
        Assert.Equal("db", map.Schema);
        Assert.Equal("t", map.Table);
    }

    [Fact]
    public void Optional_metadata_sets_names_signedness_charsets_enum_values_and_primary_key_and_skips_unknown_fields()
    {
        // Columns: INT, VARCHAR(40 bytes), ENUM (STRING 0xF7, pack 1), CHAR(100) utf8mb4 (400 bytes -> byte0 0xEE), INT.
        byte[] types = [3, 15, 254, 254, 3];
        byte[] metadata = [40, 0, 0xF7, 1, 0xEE, 0x90];
        byte[] optional =
        [
            1, 1, 0b1000_0000,                                // SIGNEDNESS: first numeric unsigned, second signed
            2, 3, 45, 1, 8,                                   // DEFAULT_CHARSET 45, char slot 1 -> latin1 (8)
            4, 10, 1, (byte)'a', 1, (byte)'b', 1, (byte)'e', 1, (byte)'c', 1, (byte)'d', // COLUMN_NAME
            6, 5, 2, 1, (byte)'x', 1, (byte)'y',              // ENUM_STR_VALUE: ('x','y')
            99, 3, 1, 2, 3,                                   // unknown TLV: skipped by length
            8, 1, 0,                                          // SIMPLE_PRIMARY_KEY: column 0
            12, 1, 0b1111_0000,                               // COLUMN_VISIBILITY: last column invisible
        ];
        var map = Read(TableMapBytes.TableMap(7, false, types, metadata, [0b11110], optional), TableMapBytes.Context());
        Assert.Equal(["a", "b", "e", "c", "d"], map.Columns.Select(c => c.Name));
        Assert.True(map.Columns[0].IsUnsigned);
        Assert.False(map.Columns[4].IsUnsigned);
        Assert.Equal(45, map.Columns[1].CollationId);
        Assert.Equal(8, map.Columns[3].CollationId);
        Assert.Equal(ColumnType.Enum, map.Columns[2].Type);
        Assert.Equal(["x", "y"], map.Columns[2].Values!);
        Assert.Equal(ColumnType.String, map.Columns[3].Type);
        Assert.Equal(400, map.Columns[3].MaxLength);
        Assert.Equal([(0, 0)], map.PrimaryKey);
        Assert.True(map.Columns[0].IsPrimaryKey);
        Assert.False(map.Columns[4].IsVisible);
        Assert.Equal([(byte)99], map.UnknownMetadataFields);
        Assert.False(map.Columns[0].IsNullable);
        Assert.True(map.Columns[1].IsNullable);
    }

    [Fact]
    public void Reading_the_same_bytes_again_reuses_the_cached_columns()
    {
        var body = TableMapBytes.TableMap(7, false, [3, 8], [], [0], []);
        var first = Read(body, TableMapBytes.Context());
        var reader = new BinlogReader(body, EventHeader.Size);
        var second = TableMapEvent.Read(ref reader, TableMapBytes.Header(BinlogEventType.TableMap, body.Length) with { Timestamp = 5 }, TableMapBytes.Context(), first);
        Assert.Same(first.Columns, second.Columns);
        Assert.Equal(5u, second.Header.Timestamp);
    }

    [Fact]
    public void Missing_metadata_bytes_are_a_format_error()
    {
        var body = TableMapBytes.TableMap(7, false, [15], [40], [0], []); // VARCHAR needs 2 metadata bytes
        Assert.Throws<BinlogFormatException>(() => Read(body, TableMapBytes.Context()));
    }

    [Fact]
    public void Signedness_can_be_supplied_when_the_event_has_no_metadata()
    {
        var map = Read(TableMapBytes.TableMap(7, false, [1, 15], [10, 0], [0], []), TableMapBytes.Context());
        Assert.False(map.HasSignedness);
        var supplied = map.WithSignedness([true, true]);
        Assert.True(supplied.Columns[0].IsUnsigned);
        Assert.False(supplied.Columns[1].IsUnsigned); // not numeric
        Assert.False(map.Columns[0].IsUnsigned);
    }
}

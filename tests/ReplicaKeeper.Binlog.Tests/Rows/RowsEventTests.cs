using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Rows;

public class RowsEventTests
{
    private static readonly FormatContext Context = TableMapBytes.Context();

    private static TableMapEvent Map(byte[] types, byte[] metadata, byte[] optional)
    {
        var body = TableMapBytes.TableMap(42, false, types, metadata, [0xFF], optional);
        var reader = new BinlogReader(body, EventHeader.Size);
        return TableMapEvent.Read(ref reader, TableMapBytes.Header(BinlogEventType.TableMap, body.Length), Context);
    }

    private static RowsEvent Rows(BinlogEventType type, byte[] body, TableMapEvent map, ReadOnlyMemory<byte>? decompressed = null) =>
        RowsEvent.Read(body, TableMapBytes.Header(type, body.Length), Context, id => id == map.TableId ? map : null, decompressed);

    [Fact]
    public void V2_update_reads_ndb_and_partition_extra_data_and_both_images()
    {
        var map = Map([3, 1], [], [1, 1, 0b0100_0000]); // INT signed, TINYINT UNSIGNED
        byte[] extra = [0, 4, 0, 0xAA, 0xBB, 1, 3, 0, 5, 0]; // NDB (len 4: len, fmt, 2 data), PART 3 from 5
        byte[] rows = [0, 0xFF, 0xFF, 0xFF, 0xFF, 200, 0b10, 7, 0, 0, 0];
        var e = Rows(BinlogEventType.UpdateRowsV2, TableMapBytes.Rows(42, extra, 2, [[0b11], [0b11]], rows), map);
        Assert.Equal(RowsEventKind.Update, e.Kind);
        Assert.Equal(2, e.Version);
        Assert.Equal(3, e.PartitionId);
        Assert.Equal(5, e.SourcePartitionId);
        Assert.Equal([4, 0, 0xAA, 0xBB], e.NdbInfo.ToArray());
        var change = new RowChange();
        var reader = e.GetRows();
        Assert.True(reader.Read(change));
        Assert.Equal(-1, change.Before[0].Int64);
        Assert.Equal(ValueKind.UInt64, change.Before[1].Kind);
        Assert.Equal(200UL, change.Before[1].UInt64);
        Assert.Equal(7, change.After[0].Int64);
        Assert.True(change.After.IsNull(1));
        Assert.False(reader.Read(change));
    }

    [Fact]
    public void Rows_for_a_table_id_without_table_map_are_refused()
    {
        var map = Map([3], [], []);
        var body = TableMapBytes.Rows(43, null, 1, [[1]], [0, 1, 0, 0, 0]);
        var error = Assert.Throws<BinlogFormatException>(() => Rows(BinlogEventType.WriteRowsV1, body, map));
        Assert.Contains("without a preceding TABLE_MAP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compressed_rows_take_the_decompressed_bytes_after_the_post_header()
    {
        var map = Map([3], [], []);
        var postHeader = TableMapBytes.Rows(42, null, 1, [[1]], [])[..8];
        byte[] decompressed = [1, 0b1, 0, 9, 0, 0, 0, 0, 10, 0, 0, 0];
        Assert.Throws<BinlogFormatException>(() => Rows(BinlogEventType.MariaDbWriteRowsCompressedV1, postHeader, map));
        var e = Rows(BinlogEventType.MariaDbWriteRowsCompressedV1, postHeader, map, decompressed);
        Assert.True(e.IsCompressed);
        Assert.Equal(2, e.CountRows());
    }

    [Fact]
    public void Char_longer_than_255_bytes_uses_a_two_byte_length()
    {
        // CHAR(100) utf8mb4: metadata 0xEE 0x90 -> real type STRING, 400 bytes max.
        var map = Map([254], [0xEE, 0x90], [2, 1, 45]);
        var text = "😀😀"u8.ToArray();
        byte[] rows = [0, (byte)text.Length, 0, .. text];
        var e = Rows(BinlogEventType.WriteRowsV1, TableMapBytes.Rows(42, null, 1, [[1]], rows), map);
        var change = new RowChange();
        var reader = e.GetRows();
        Assert.True(reader.Read(change));
        Assert.Equal("😀😀", change.After.GetString(0));
    }

    [Fact]
    public void Width_wider_than_the_table_is_a_format_error()
    {
        var map = Map([3], [], []);
        var body = TableMapBytes.Rows(42, null, 2, [[3]], [0, 1, 0, 0, 0, 2, 0, 0, 0]);
        Assert.Throws<BinlogFormatException>(() => Rows(BinlogEventType.WriteRowsV1, body, map));
    }
}

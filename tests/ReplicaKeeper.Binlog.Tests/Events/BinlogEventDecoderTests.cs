using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.Binlog.Tests.Framing;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Events;

public partial class BinlogEventDecoderTests
{
    private static BinlogEventDecoder DecoderAfterFde(List<RawEvents.Raw> events)
    {
        var decoder = new BinlogEventDecoder();
        decoder.Decode(events[0].Bytes, events[0].File, events[0].Position);
        return decoder;
    }

    [Fact]
    public void Refuses_a_rows_event_whose_table_map_it_has_not_seen_and_forgets_maps_after_the_transaction()
    {
        var events = RawEvents.Of(TestBinlogs.MySql, "bin.000001");
        var rowsIndex = events.FindIndex(e => e.Type == BinlogEventType.WriteRowsV2);
        var rows = events[rowsIndex];
        var decoder = DecoderAfterFde(events);
        var e = Assert.Throws<BinlogFormatException>(() => decoder.Decode(rows.Bytes, rows.File, rows.Position));
        Assert.Contains("table id 106", e.Message, StringComparison.Ordinal);
        Assert.Equal(rows.Position, e.EventPosition);
        Assert.Equal("bin.000001", e.File);
        Assert.Equal(BinlogEventType.WriteRowsV2, e.EventType);

        var map = events[rowsIndex - 1];
        Assert.IsType<TableMapEvent>(decoder.Decode(map.Bytes, map.File, map.Position));
        var decoded = Assert.IsType<RowsEvent>(decoder.Decode(rows.Bytes, rows.File, rows.Position));
        Assert.Equal(1, decoded.CountRows());

        var xid = events[rowsIndex + 1];
        Assert.IsType<XidEvent>(decoder.Decode(xid.Bytes, xid.File, xid.Position));
        Assert.Null(decoder.FindTableMap(106));
        Assert.Throws<BinlogFormatException>(() => decoder.Decode(rows.Bytes, rows.File, rows.Position));
    }

    [Fact]
    public void Zero_copy_and_copying_decodes_give_the_same_rows()
    {
        var events = RawEvents.Of(TestBinlogs.MySql, "bin.000001");
        var fromSpan = new BinlogEventDecoder();
        var fromMemory = new BinlogEventDecoder();
        var compared = 0;
        foreach (var raw in events)
        {
            var a = fromSpan.Decode(raw.Bytes.AsSpan(), raw.File, raw.Position);
            var b = fromMemory.Decode(raw.Bytes.AsMemory(), raw.File, raw.Position);
            Assert.Equal(a.GetType(), b.GetType());
            if (a is RowsEvent ra && b is RowsEvent rb)
            {
                Assert.Equal(ra.RowData.ToArray(), rb.RowData.ToArray());
                Assert.Equal(ra.CountRows(), rb.CountRows());
                compared++;
            }
        }

        Assert.True(compared > 3);
    }

    [Fact]
    public void MariaDb_rows_per_event_equal_the_tools_including_compressed_events()
    {
        var expected = new List<int>();
        var actual = new List<int>();
        foreach (var file in DecodedBinlogs.Files(TestBinlogs.MariaDb))
        {
            expected.AddRange(RowsLine().Matches(TestBinlogs.ToolOutput(TestBinlogs.MariaDb, file)).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
            actual.AddRange(DecodedBinlogs.Read(TestBinlogs.MariaDb, file).Select(e => e.Event).OfType<RowsEvent>().Select(r => r.CountRows()));
        }

        Assert.Equal(expected, actual);
        var all = DecodedBinlogs.AllFlattened(TestBinlogs.MariaDb).OfType<RowsEvent>().ToList();
        Assert.Contains(all, r => r.IsCompressed);
        Assert.Contains(all, r => !r.IsCompressed);
    }

    [Fact]
    public void MySql_rows_including_those_in_compressed_transactions_equal_the_tools()
    {
        var expected = RowChangeLine().Matches(DecodedBinlogs.ToolOutput(TestBinlogs.MySql)).Count;
        var rows = DecodedBinlogs.AllFlattened(TestBinlogs.MySql).OfType<RowsEvent>().ToList();
        Assert.Equal(expected, rows.Sum(r => r.CountRows()));
        var payloadRows = DecodedBinlogs.AllFlattened(TestBinlogs.MySql).OfType<TransactionPayloadEvent>().SelectMany(p => p.Events).OfType<RowsEvent>().Sum(r => r.CountRows());
        Assert.Equal(3, payloadRows); // two inserted and one updated inside the zstd payloads
    }

    [Fact]
    public void Decodes_a_heartbeat_v2_with_its_TLV_fields()
    {
        var body = new List<byte> { 1, 10 };
        body.AddRange("bin.000042"u8.ToArray());
        body.AddRange(new byte[] { 2, 4, 0xFD, 0x40, 0xE2, 0x01 }); // packed 123456
        body.Add(0);
        var raw = RawEvents.Make(BinlogEventType.HeartbeatV2, body.ToArray(), checksum: false, timestamp: 0);
        var heartbeat = Assert.IsType<HeartbeatEvent>(new BinlogEventDecoder().Decode(raw));
        Assert.Equal("bin.000042", heartbeat.LogFileName);
        Assert.Equal(123456UL, heartbeat.LogPosition);
    }

    [Fact]
    public void Decodes_a_heartbeat_v1_whose_position_is_the_headers_log_pos()
    {
        var raw = RawEvents.Make(BinlogEventType.Heartbeat, "bin.000009"u8, checksum: false, timestamp: 0, logPos: 4711);
        var heartbeat = Assert.IsType<HeartbeatEvent>(new BinlogEventDecoder().Decode(raw));
        Assert.Equal("bin.000009", heartbeat.LogFileName);
        Assert.Equal(4711UL, heartbeat.LogPosition);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decodes_the_fake_rotate_at_stream_start_with_or_without_checksum(bool checksum)
    {
        var body = new byte[8 + 10];
        BinaryPrimitives.WriteUInt64LittleEndian(body, 4);
        "bin.000007"u8.CopyTo(body.AsSpan(8));
        var raw = RawEvents.Make(BinlogEventType.Rotate, body, checksum, timestamp: 0, flags: EventHeader.ArtificialFlag);
        var rotate = Assert.IsType<RotateEvent>(new BinlogEventDecoder().Decode(raw));
        Assert.Equal("bin.000007", rotate.NextFile);
        Assert.Equal(4UL, rotate.NextPosition);
        Assert.True(rotate.IsFake);
    }

    [Fact]
    public void Passes_unknown_event_types_through_raw_and_verifies_their_checksum()
    {
        var events = RawEvents.Of(TestBinlogs.MySql, "bin.000001");
        var decoder = DecoderAfterFde(events);
        var raw = RawEvents.Make((BinlogEventType)200, [1, 2, 3, 4, 5], checksum: true);
        var unknown = Assert.IsType<UnknownEvent>(decoder.Decode(raw, "x", 99));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, unknown.Body.ToArray());
        raw[20] ^= 1;
        var e = Assert.Throws<BinlogFormatException>(() => decoder.Decode(raw, "bin.000001", 99));
        Assert.Equal(99, e.EventPosition);
        Assert.Equal("bin.000001", e.File);
        Assert.Contains("CRC32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_whose_size_field_disagrees_with_its_bytes_is_refused()
    {
        var raw = RawEvents.Make(BinlogEventType.Xid, new byte[8], checksum: false);
        var e = Assert.Throws<BinlogFormatException>(() => new BinlogEventDecoder().Decode(raw.AsSpan(0, raw.Length - 1), "f", 10));
        Assert.Equal(10, e.EventPosition);
        Assert.Equal(BinlogEventType.Xid, e.EventType);
    }

    [Fact]
    public void Query_status_variables_are_decoded_and_an_unknown_code_ends_them_without_losing_the_query()
    {
        var status = new List<byte>();
        status.AddRange([0, 0, 0, 0, 0]);                              // flags2
        status.AddRange([1, 0x20, 0, 0xA0, 0x45, 0, 0, 0, 0]);         // sql_mode
        status.AddRange([3, 2, 0, 1, 0]);                              // auto_increment 2 / 1
        status.AddRange([5, 6]); status.AddRange("+02:00"u8.ToArray()); // time zone
        status.AddRange([6, 3]); status.AddRange("std"u8.ToArray());    // catalog
        status.AddRange([7, 5, 0]);                                    // lc_time_names
        status.AddRange([11, 4]); status.AddRange("root"u8.ToArray()); status.Add(9); status.AddRange("localhost"u8.ToArray());
        status.AddRange([12, 2]); status.AddRange("a\0b\0"u8.ToArray()); // updated db names
        status.AddRange([13, 0x40, 0xE2, 0x01]);                        // microseconds 123456
        status.AddRange([16, 1]);                                       // explicit_defaults_for_timestamp
        status.AddRange([17, 7, 0, 0, 0, 0, 0, 0, 0]);                  // ddl xid
        status.AddRange([19, 1]);                                       // sql_require_primary_key
        status.AddRange([99, 1, 2, 3]);                                 // unknown: the rest is skipped
        var body = new List<byte>();
        body.AddRange(BitConverter.GetBytes(42u));                      // thread id
        body.AddRange(BitConverter.GetBytes(3u));                       // exec time
        body.Add(2);                                                    // schema length
        body.AddRange(BitConverter.GetBytes((ushort)0));                // error code
        body.AddRange(BitConverter.GetBytes((ushort)status.Count));
        body.AddRange(status);
        body.AddRange("db\0"u8.ToArray());
        body.AddRange("CREATE TABLE t (a INT)"u8.ToArray());
        var raw = RawEvents.Make(BinlogEventType.Query, body.ToArray(), checksum: false);
        var query = Assert.IsType<QueryEvent>(new BinlogEventDecoder().Decode(raw));
        Assert.Equal("CREATE TABLE t (a INT)", query.Query);
        Assert.Equal("db", query.Schema);
        Assert.Equal(42u, query.ThreadId);
        Assert.Equal(3u, query.ExecutionTime);
        Assert.True(query.IsDdl);
        var v = query.StatusVariables;
        Assert.Equal(0x45A00020UL, v.SqlMode);
        Assert.Equal((ushort)2, v.AutoIncrementIncrement);
        Assert.Equal("+02:00", v.TimeZone);
        Assert.Equal("std", v.Catalog);
        Assert.Equal((ushort)5, v.LcTimeNames);
        Assert.Equal("root", v.InvokerUser);
        Assert.Equal("localhost", v.InvokerHost);
        Assert.Equal(["a", "b"], v.UpdatedDbNames!);
        Assert.Equal(123456u, v.Microseconds);
        Assert.True(v.ExplicitDefaultsForTimestamp);
        Assert.Equal(7UL, v.DdlXid);
        Assert.Equal((byte)1, v.SqlRequirePrimaryKey);
        Assert.Equal((byte)99, v.FirstUnknownCode);
    }

    [Fact]
    public void Decodes_a_tagged_GTID_with_distinct_original_values_and_a_commit_ticket()
    {
        // Field ids and values in the mysql::serialization varint format.
        static byte[] U(ulong v)
        {
            var bytes = new List<byte>();
            if (v < 128)
            {
                return [(byte)(v << 1)];
            }

            var n = 2;
            while (n < 9 && v >= 1UL << (7 * n))
            {
                n++;
            }

            if (n == 9)
            {
                bytes.Add(0xFF);
                bytes.AddRange(BitConverter.GetBytes(v));
                return [.. bytes];
            }

            var encoded = (v << n) | ((1UL << (n - 1)) - 1);
            return BitConverter.GetBytes(encoded)[..n];
        }

        static byte[] S(long v) => U(v >= 0 ? (ulong)v << 1 : ((ulong)(-(v + 1)) << 1) | 1);
        var sid = new Guid("3e11fa47-71ca-11e1-9e33-c80aa9429562");
        var fields = new List<byte>();
        void Field(int id, byte[] value) { fields.AddRange(U((ulong)id)); fields.AddRange(value); }
        Field(0, U(1));
        fields.AddRange(U(1));
        foreach (var b in sid.ToByteArray(bigEndian: true))
        {
            fields.AddRange(U(b));
        }

        Field(2, S(23));
        Field(3, [.. U(5), .. "alpha"u8.ToArray()]);
        Field(4, S(10));
        Field(5, S(11));
        Field(6, U(1_795_635_276_721_079));
        Field(7, U(1_795_635_276_000_000));
        Field(8, U(525));
        Field(9, U(90704));
        Field(10, U(80400));
        Field(11, U(77));
        var message = new List<byte>();
        message.AddRange(U(1));                       // format version
        var size = 1 + 1 + 1 + fields.Count;          // version, size, last non-ignorable id, fields (size < 64: 1-byte varints)
        message.AddRange(U((ulong)size));
        message.AddRange(U(0));
        message.AddRange(fields);
        Assert.Equal(size, message.Count);
        var raw = RawEvents.Make(BinlogEventType.GtidTagged, message.ToArray(), checksum: true);
        var gtid = Assert.IsType<GtidEvent>(new BinlogEventDecoder(new BinlogDecoderOptions { InitialChecksum = ChecksumAlgorithm.Crc32 }).Decode(raw));
        Assert.Equal("3e11fa47-71ca-11e1-9e33-c80aa9429562:alpha:23", gtid.GtidText);
        Assert.Equal(sid, gtid.SourceId);
        Assert.Equal(10, gtid.LastCommitted);
        Assert.Equal(11, gtid.SequenceNumber);
        Assert.Equal(1_795_635_276_721_079UL, gtid.ImmediateCommitTimestamp);
        Assert.Equal(1_795_635_276_000_000UL, gtid.OriginalCommitTimestamp);
        Assert.Equal(525UL, gtid.TransactionLength);
        Assert.Equal(90704u, gtid.ImmediateServerVersion);
        Assert.Equal(80400u, gtid.OriginalServerVersion);
        Assert.Equal(77UL, gtid.CommitGroupTicket);
        Assert.True(gtid.MayHaveStatementBasedEvents);
    }

    [GeneratedRegex(@"^# Number of rows: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex RowsLine();

    [GeneratedRegex(@"^### (INSERT INTO|UPDATE|DELETE FROM) ", RegexOptions.Multiline)]
    private static partial Regex RowChangeLine();
}

using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol.Tests.Packets;

public class PayloadReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0xFA }, 250UL)]
    [InlineData(new byte[] { 0xFC, 0xFB, 0x00 }, 251UL)]
    [InlineData(new byte[] { 0xFD, 0x00, 0x00, 0x01 }, 65536UL)]
    [InlineData(new byte[] { 0xFE, 1, 2, 3, 4, 5, 6, 7, 8 }, 0x0807060504030201UL)]
    public void Reads_length_encoded_integers_of_every_width(byte[] bytes, ulong expected)
    {
        var reader = new PayloadReader(bytes, "test");
        Assert.Equal(expected, reader.ReadLengthEncodedInteger());
        Assert.False(reader.HasRemaining);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(250UL)]
    [InlineData(251UL)]
    [InlineData(65535UL)]
    [InlineData(65536UL)]
    [InlineData(0xFFFFFFUL)]
    [InlineData(0x1000000UL)]
    [InlineData(ulong.MaxValue)]
    public void Writes_length_encoded_integers_that_read_back(ulong value)
    {
        using var writer = new PayloadWriter();
        writer.WriteLengthEncodedInteger(value);
        var reader = new PayloadReader(writer.WrittenSpan, "test");
        Assert.Equal(value, reader.ReadLengthEncodedInteger());
        Assert.False(reader.HasRemaining);
    }

    [Fact]
    public void Reports_truncation_with_packet_name_and_offset()
    {
        byte[] bytes = [0x05, (byte)'a', (byte)'b'];
        var error = Assert.Throws<MySqlProtocolException>(() =>
        {
            var reader = new PayloadReader(bytes, "column definition");
            reader.ReadLengthEncodedBytes();
        });
        Assert.Contains("Malformed column definition packet", error.Message, StringComparison.Ordinal);
        Assert.Contains("5 bytes exceeds the 2 bytes left", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Returns_null_for_the_null_marker_in_text_rows()
    {
        var reader = new PayloadReader([0xFB, 0x01, (byte)'x'], "row");
        Assert.Null(reader.ReadLengthEncodedIntegerOrNull());
        Assert.Equal("x", reader.ReadLengthEncodedString());
    }

    [Fact]
    public void Parses_err_packets_with_and_without_sql_state()
    {
        byte[] withState = [0xFF, 0x7A, 0x04, (byte)'#', .. "42S02"u8, .. "Table 'db.t' doesn't exist"u8];
        MySqlServerException error = MySqlServerException.FromErrorPacket(withState);
        Assert.Equal(1146, error.ErrorCode);
        Assert.Equal("42S02", error.SqlState);
        Assert.Equal("Table 'db.t' doesn't exist", error.ServerMessage);
        Assert.Contains("1146", error.Message, StringComparison.Ordinal);

        byte[] withoutState = [0xFF, 0x10, 0x04, .. "Too many connections"u8];
        MySqlServerException early = MySqlServerException.FromErrorPacket(withoutState);
        Assert.Equal(1040, early.ErrorCode);
        Assert.Equal("HY000", early.SqlState);
        Assert.Equal("Too many connections", early.ServerMessage);
    }

    [Fact]
    public void Parses_ok_packets()
    {
        byte[] ok = [0x00, 0xFC, 0x10, 0x27, 0x05, 0x02, 0x00, 0x01, 0x00, .. "Rows matched: 10000"u8];
        OkPacket parsed = OkPacket.Parse(ok);
        Assert.Equal(10000UL, parsed.AffectedRows);
        Assert.Equal(5UL, parsed.LastInsertId);
        Assert.Equal(ServerStatusFlags.AutoCommit, parsed.Status);
        Assert.Equal((ushort)1, parsed.Warnings);
        Assert.Equal("Rows matched: 10000", parsed.Info);
    }
}

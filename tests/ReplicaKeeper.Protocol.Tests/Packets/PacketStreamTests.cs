using ReplicaKeeper.Protocol.Packets;
using ReplicaKeeper.Protocol.Tests.Fakes;

namespace ReplicaKeeper.Protocol.Tests.Packets;

public class PacketStreamTests
{
    private const int Max = 0xFFFFFF;

    public static TheoryData<int> PayloadLengths => new()
    {
        0, 1, 250, 4096, 200_000, Max - 1, Max, Max + 1, 2 * Max, (2 * Max) + 7,
    };

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public async Task Reads_a_payload_joined_from_continuation_packets(int length)
    {
        byte[] payload = TestFraming.Payload(length, length);
        byte[] framed = TestFraming.Frame(payload, 0);
        int expectedPackets = (length / Max) + 1;
        Assert.Equal(expectedPackets, TestFraming.Parse(framed).Count);

        await using var packets = new PacketStream(new ChunkedStream(framed, chunk: 65_536));
        ReadOnlyMemory<byte> read = await packets.ReadPacketAsync(CancellationToken.None);

        Assert.Equal(length, read.Length);
        Assert.True(read.Span.SequenceEqual(payload));
        Assert.Equal((byte)expectedPackets, packets.SequenceId);
    }

    [Theory]
    [MemberData(nameof(PayloadLengths))]
    public async Task Writes_a_payload_split_into_0xFFFFFF_packets_with_a_trailing_empty_one_on_exact_multiples(int length)
    {
        byte[] payload = TestFraming.Payload(length, length + 1);
        var stream = new ChunkedStream([]);
        await using var packets = new PacketStream(stream);

        await packets.WritePacketAsync(payload, CancellationToken.None);

        var written = TestFraming.Parse(stream.Written.ToArray());
        Assert.Equal((length / Max) + 1, written.Count);
        for (int i = 0; i < written.Count; i++)
        {
            Assert.Equal((byte)i, written[i].SequenceId);
            Assert.Equal(i < written.Count - 1 ? Max : length % Max, written[i].Length);
        }

        Assert.True(written.SelectMany(p => p.Payload).SequenceEqual(payload));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(4093)]
    [InlineData(65_521)]
    public async Task Reads_a_mixed_sequence_of_small_and_large_packets_in_any_segmentation(int chunk)
    {
        // 131_068 + 4 bytes fill the 128 KiB read buffer exactly; one more byte goes the large-payload way.
        int[] lengths = chunk < 1000
            ? [0, 3, 70_000, 1, 130_000, 300_000, 12, 131_068, 131_069, 5]
            : [0, 3, 70_000, 1, 130_000, Max + 10, 12, 131_068, 131_069, 5, Max, 7];
        var payloads = lengths.Select((n, i) => TestFraming.Payload(n, i)).ToList();
        var input = new MemoryStream();
        byte sequence = 0;
        foreach (byte[] payload in payloads)
        {
            input.Write(TestFraming.Frame(payload, ref sequence));
        }

        var stream = new ChunkedStream(input.ToArray(), chunk);
        await using var packets = new PacketStream(stream);
        foreach (byte[] expected in payloads)
        {
            ReadOnlyMemory<byte> read = await packets.ReadPacketAsync(CancellationToken.None);
            Assert.True(read.Span.SequenceEqual(expected), $"payload of {expected.Length} bytes differs");
        }

        await Assert.ThrowsAsync<MySqlConnectionClosedException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Returns_buffered_packets_synchronously_without_allocating()
    {
        const int count = 20_000;
        var input = new MemoryStream();
        byte sequence = 0;
        for (int i = 0; i < count; i++)
        {
            input.Write(TestFraming.Frame(TestFraming.Payload(40 + (i % 50), i), ref sequence));
        }

        await using var packets = new PacketStream(new ChunkedStream(input.ToArray()), readBufferSize: 8 * 1024 * 1024);
        Assert.Equal(40, (await packets.ReadPacketAsync(CancellationToken.None)).Length); // fills the buffer

        long before = GC.GetAllocatedBytesForCurrentThread();
        int synchronous = 0;
        long total = 0;
        for (int i = 1; i < count; i++)
        {
            ValueTask<ReadOnlyMemory<byte>> pending = packets.ReadPacketAsync(CancellationToken.None);
            if (pending.IsCompletedSuccessfully)
            {
                synchronous++;
            }

            total += (await pending).Length;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(count - 1, synchronous);
        Assert.True(total > 0);
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for {count - 1} buffered packets");
    }

    [Fact]
    public async Task Rejects_a_packet_with_an_unexpected_sequence_id_and_refuses_further_reads()
    {
        byte[] framed = [.. TestFraming.Frame([1, 2, 3], 0), .. TestFraming.Frame([4, 5], 5)];
        await using var packets = new PacketStream(new ChunkedStream(framed));
        await packets.ReadPacketAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
        Assert.Contains("expected sequence id 1, received 5", error.Message, StringComparison.Ordinal);
        Assert.True(packets.IsBroken);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Rejects_an_out_of_order_continuation_packet()
    {
        byte[] payload = TestFraming.Payload(Max + 5, 9);
        byte[] framed = TestFraming.Frame(payload, 0);
        framed[4 + Max + 3] = 7; // sequence id of the second physical packet
        await using var packets = new PacketStream(new ChunkedStream(framed, 1 << 20));

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
        Assert.Contains("expected sequence id 1, received 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Surfaces_an_out_of_sequence_error_packet_as_the_server_error()
    {
        byte[] err = [0xFF, 0xBF, 0x0F, (byte)'#', .. "HY000"u8, .. "The client was disconnected by the server because of inactivity."u8];
        await using var packets = new PacketStream(new ChunkedStream(TestFraming.Frame(err, 0)));
        packets.ResetSequence();
        await packets.WritePacketAsync(new byte[] { 0x0E }, CancellationToken.None); // a command, so the server should answer with 1

        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
        Assert.Equal(4031, error.ErrorCode);
        Assert.Equal("HY000", error.SqlState);
    }

    [Theory]
    [InlineData(0, "while waiting for the next packet")]
    [InlineData(2, "in the middle of a packet header (received 2 of 4 bytes)")]
    [InlineData(14, "in the middle of a 1000-byte packet (received 10 bytes of it)")]
    public async Task Reports_a_connection_closed_mid_packet_clearly(int bytesSent, string expected)
    {
        byte[] framed = TestFraming.Frame(TestFraming.Payload(1000, 1), 0)[..bytesSent];
        await using var packets = new PacketStream(new ChunkedStream(framed, 3));

        var error = await Assert.ThrowsAsync<MySqlConnectionClosedException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_a_connection_closed_in_the_middle_of_a_large_payload()
    {
        byte[] framed = TestFraming.Frame(TestFraming.Payload((2 * Max) + 100, 2), 0);
        await using var packets = new PacketStream(new ChunkedStream(framed[..(Max + 4 + 4 + 500)], 1 << 20));

        var error = await Assert.ThrowsAsync<MySqlConnectionClosedException>(async () => await packets.ReadPacketAsync(CancellationToken.None));
        Assert.Contains($"in the middle of a {Max}-byte packet (received 500 bytes of it)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Continues_sequence_ids_across_reads_and_writes_and_wraps_at_256()
    {
        var input = new MemoryStream();
        for (int i = 0; i < 300; i++)
        {
            input.Write(TestFraming.Frame([(byte)i], (byte)((2 * i) + 1)));
        }

        var stream = new ChunkedStream(input.ToArray());
        await using var packets = new PacketStream(stream);
        for (int i = 0; i < 300; i++)
        {
            await packets.WritePacketAsync(new byte[] { 0xAA }, CancellationToken.None);
            ReadOnlyMemory<byte> read = await packets.ReadPacketAsync(CancellationToken.None);
            Assert.Equal((byte)i, read.Span[0]);
        }

        var written = TestFraming.Parse(stream.Written.ToArray());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)(2 * i)), written.Select(p => p.SequenceId));
    }
}

using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Segments;

public sealed class SegmentWriterTests
{
    [Theory]
    [InlineData("mariadb")]
    [InlineData("mysql")]
    public async Task Archived_segments_are_byte_identical_to_the_masters_files(string flavor)
    {
        using var dir = new TempDirectory();
        var names = MasterFiles.Names(flavor);
        var closed = new List<string>();
        await using (var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions
        {
            SegmentClosed = (name, _) => { closed.Add(name); return ValueTask.CompletedTask; },
        }, CancellationToken.None))
        {
            var stream = MasterFiles.DumpStream(flavor, names);
            // heartbeats in the middle of the stream are not part of any file
            stream.Insert(5, MasterFiles.Heartbeat(names[0], 1000, MasterFiles.HasChecksums(flavor, names[0])));
            foreach (var ev in stream)
            {
                await writer.AppendAsync(ev, CancellationToken.None);
            }

            await writer.FlushAsync(CancellationToken.None);
        }

        Assert.Equal(names[..^1], closed);
        foreach (var name in names)
        {
            Assert.Equal(MasterFiles.Bytes(flavor, name), File.ReadAllBytes(dir.Layout.RawSegmentPath(name)));
        }
    }

    [Theory]
    [InlineData("mariadb", "0-11-12,2-11-1", "0-11-12")]
    [InlineData("mysql", "607c45ad-e907-11f1-8991-02fc00000001:1-11", "607c45ad-e907-11f1-8991-02fc00000001:11")]
    public async Task Durable_position_names_the_masters_gtid_state_after_the_last_transaction(string flavor, string gtidExecuted, string lastGtid)
    {
        // expected values: @@gtid_binlog_pos / @@gtid_executed and the last GTID on the servers that wrote the fixtures
        using var dir = new TempDirectory();
        var names = MasterFiles.Names(flavor);
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None);
        foreach (var ev in MasterFiles.DumpStream(flavor, names))
        {
            await writer.AppendAsync(ev, CancellationToken.None);
        }

        await writer.FlushAsync(CancellationToken.None);
        var durable = writer.Durable!;
        Assert.Equal(names[^1], durable.File);
        Assert.Equal(MasterFiles.Bytes(flavor, names[^1]).Length, durable.Offset);
        Assert.Equal(gtidExecuted, durable.Gtids);
        Assert.Equal(lastGtid, durable.LastGtid);
    }

    [Fact]
    public async Task Gap_in_positions_is_refused_and_nothing_of_the_event_is_written()
    {
        using var dir = new TempDirectory();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mysql", "bin.000002");
        for (var i = 0; i < 5; i++)
        {
            await writer.AppendAsync(stream[i], CancellationToken.None);
        }

        var length = writer.Received.Length;
        var error = await Assert.ThrowsAsync<ArchiveStreamException>(async () => await writer.AppendAsync(stream[6], CancellationToken.None));
        Assert.Contains("gap in bin.000002", error.Message, StringComparison.Ordinal);
        Assert.Equal(length, writer.Received.Length);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(length, new FileInfo(dir.Layout.RawSegmentPath("bin.000002")).Length);

        var overlap = await Assert.ThrowsAsync<ArchiveStreamException>(async () => await writer.AppendAsync(stream[3], CancellationToken.None));
        Assert.Contains("overlap", overlap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_with_a_wrong_checksum_is_refused()
    {
        using var dir = new TempDirectory();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mariadb", "bin.000002");
        await writer.AppendAsync(stream[0], CancellationToken.None);
        await writer.AppendAsync(stream[1], CancellationToken.None);
        var damaged = (byte[])stream[2].Clone();
        damaged[EventHeaderSize + 1] ^= 0x40;
        var error = await Assert.ThrowsAsync<ArchiveStreamException>(async () => await writer.AppendAsync(damaged, CancellationToken.None));
        Assert.Contains("CRC32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_position_stays_at_the_last_transaction_end_while_a_transaction_is_open()
    {
        using var dir = new TempDirectory();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None);
        // MySQL bin.000002: FDE..127, PREVIOUS_GTIDS..198, GTID..277, BEGIN..348, TABLE_MAP..419, DELETE_ROWS..466, XID..497
        var stream = MasterFiles.DumpStream("mysql", "bin.000002");
        // stream[0] is the fake ROTATE; stream[1..6] run up to DELETE_ROWS
        for (var i = 0; i < 7; i++)
        {
            await writer.AppendAsync(stream[i], CancellationToken.None);
        }

        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(198, writer.Durable!.Offset);
        Assert.Equal(466, writer.Received.Length);
        await writer.AppendAsync(stream[7], CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(497, writer.Durable!.Offset);
    }

    private const int EventHeaderSize = 19;
}

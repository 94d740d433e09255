using System.Buffers.Binary;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Framing;

public class BinlogFrameScannerTests
{
    private sealed record Frame(long Position, BinlogEventType Type, byte[] Bytes, int ChecksumLength);

    private static (List<Frame> Frames, BinlogFrameScanner Scanner) Scan(Stream stream, string name = "bin.test", BinlogFrameScannerOptions? options = null)
    {
        var scanner = new BinlogFrameScanner(stream, name, options);
        var frames = new List<Frame>();
        while (scanner.MoveNext())
        {
            var f = scanner.Current;
            frames.Add(new Frame(f.Position, f.EventType, f.Bytes.ToArray(), f.ChecksumLength));
        }

        return (frames, scanner);
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public void Finds_every_event_the_reference_tool_prints(string flavor, string file)
    {
        var (frames, scanner) = Scan(new MemoryStream(TestBinlogs.Bytes(flavor, file)), file);
        using (scanner)
        {
            Assert.Equal(TestBinlogs.ToolEventPositions(flavor, file), [.. frames.Select(f => f.Position)]);
            Assert.Equal(BinlogScanEnd.Clean, scanner.End);
            Assert.Equal(TestBinlogs.Bytes(flavor, file).Length, scanner.LastCompleteEventEnd);
            Assert.Equal(BinlogEventType.FormatDescription, frames[0].Type);
        }
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public async Task Yields_identical_frames_when_the_file_arrives_split_at_any_byte(string flavor, string file)
    {
        var data = TestBinlogs.Bytes(flavor, file);
        var (expected, baseline) = Scan(new MemoryStream(data), file);
        baseline.Dispose();
        for (var split = 0; split <= data.Length; split++)
        {
            var (frames, scanner) = Scan(new ChunkedStream(data, int.MaxValue, split), file, new BinlogFrameScannerOptions { BufferSize = 4096 });
            scanner.Dispose();
            AssertSameFrames(expected, frames);
        }

        // One byte at a time, asynchronously.
        using var slow = new BinlogFrameScanner(new ChunkedStream(data, 1), file);
        var asyncFrames = new List<Frame>();
        while (await slow.MoveNextAsync())
        {
            asyncFrames.Add(new Frame(slow.Current.Position, slow.Current.EventType, slow.Current.Bytes.ToArray(), slow.Current.ChecksumLength));
        }

        AssertSameFrames(expected, asyncFrames);
        Assert.Equal(BinlogScanEnd.Clean, slow.End);
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public void Reports_a_torn_tail_at_every_truncation_length_with_the_last_complete_event_end(string flavor, string file)
    {
        var data = TestBinlogs.Bytes(flavor, file);
        var (expected, baseline) = Scan(new MemoryStream(data), file);
        baseline.Dispose();
        var boundaries = expected.Select(f => f.Position + f.Bytes.Length).Prepend(4).ToHashSet();
        for (var length = 4; length <= data.Length; length++)
        {
            var (frames, scanner) = Scan(new MemoryStream(data, 0, length), file);
            using (scanner)
            {
                var whole = expected.Where(f => f.Position + f.Bytes.Length <= length).ToList();
                AssertSameFrames(whole, frames);
                var lastEnd = whole.Count == 0 ? 4 : whole[^1].Position + whole[^1].Bytes.Length;
                Assert.Equal(lastEnd, scanner.LastCompleteEventEnd);
                Assert.Equal(boundaries.Contains(length) ? BinlogScanEnd.Clean : BinlogScanEnd.TornTail, scanner.End);
                Assert.Equal(length - lastEnd, scanner.TornTailLength);
            }
        }
    }

    [Fact]
    public void A_file_cut_inside_the_magic_is_a_torn_tail_and_a_wrong_magic_is_corruption()
    {
        var data = TestBinlogs.Bytes(TestBinlogs.MySql, "bin.000003");
        var (_, cut) = Scan(new MemoryStream(data, 0, 2));
        Assert.Equal(BinlogScanEnd.TornTail, cut.End);

        var wrong = (byte[])data.Clone();
        wrong[1] = (byte)'x';
        var e = Assert.Throws<BinlogFormatException>(() => Scan(new MemoryStream(wrong), "bin.000003"));
        Assert.Equal("bin.000003", e.File);
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public void A_corrupted_checksum_is_reported_with_file_and_event_position(string flavor, string file)
    {
        var data = TestBinlogs.Bytes(flavor, file);
        var (frames, baseline) = Scan(new MemoryStream(data), file);
        baseline.Dispose();
        var checksummed = frames.Where(f => f.ChecksumLength == 4 && IsCrc32File(frames)).ToList();
        if (checksummed.Count == 0)
        {
            // A NONE file: flipping a byte is not detectable by checksum; the file must still scan.
            Assert.All(frames.Skip(1), f => Assert.Equal(0, f.ChecksumLength));
            return;
        }

        foreach (var frame in checksummed)
        {
            var broken = (byte[])data.Clone();
            broken[frame.Position + frame.Bytes.Length - 6] ^= 0x40;
            var e = Assert.Throws<BinlogFormatException>(() => Scan(new MemoryStream(broken), file));
            Assert.Equal(file, e.File);
            Assert.Equal(frame.Position, e.EventPosition);
            Assert.Contains("CRC32", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_wrong_log_pos_is_corruption_unless_end_positions_are_not_checked()
    {
        var data = (byte[])TestBinlogs.Bytes(TestBinlogs.MariaDb, "bin.000004").Clone();
        var (frames, s) = Scan(new MemoryStream(data));
        s.Dispose();
        var second = frames[1];
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan((int)second.Position + 13), 12345);
        var e = Assert.Throws<BinlogFormatException>(() => Scan(new MemoryStream(data), "bin.000004"));
        Assert.Equal(second.Position, e.EventPosition);

        // That file has no checksums, so with the check off it scans.
        var (again, scanner) = Scan(new MemoryStream(data), "bin.000004", new BinlogFrameScannerOptions { CheckEndPositions = false });
        scanner.Dispose();
        Assert.Equal(frames.Count, again.Count);
    }

    [Fact]
    public void An_impossible_event_size_is_corruption_not_a_torn_tail()
    {
        var data = (byte[])TestBinlogs.Bytes(TestBinlogs.MySql, "bin.000003").Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4 + 9), 7);
        var e = Assert.Throws<BinlogFormatException>(() => Scan(new MemoryStream(data), "bin.000003"));
        Assert.Equal(4, e.EventPosition);
    }

    [Fact]
    public void Verification_can_be_switched_off_and_checksum_algorithm_follows_the_format_description()
    {
        var data = (byte[])TestBinlogs.Bytes(TestBinlogs.MySql, "bin.000002").Clone();
        var (frames, s) = Scan(new MemoryStream(data));
        Assert.Equal(ChecksumAlgorithm.Crc32, s.Checksum);
        s.Dispose();
        data[frames[3].Position + 20] ^= 1;
        var (unverified, scanner) = Scan(new MemoryStream(data), "x", new BinlogFrameScannerOptions { VerifyChecksums = false });
        scanner.Dispose();
        Assert.Equal(frames.Count, unverified.Count);

        var (none, noneScanner) = Scan(new MemoryStream(TestBinlogs.Bytes(TestBinlogs.MySql, "bin.000004")));
        Assert.Equal(ChecksumAlgorithm.None, noneScanner.Checksum);
        Assert.Equal(4, none[0].ChecksumLength); // the FDE keeps its 4 bytes of checksum room
        Assert.All(none.Skip(1), f => Assert.Equal(0, f.ChecksumLength));
        noneScanner.Dispose();
    }

    [Fact]
    public void Scanning_from_a_later_position_needs_only_the_checksum_algorithm()
    {
        var data = TestBinlogs.Bytes(TestBinlogs.MySql, "bin.000001");
        var (frames, s) = Scan(new MemoryStream(data));
        s.Dispose();
        var start = frames[5].Position;
        var stream = new MemoryStream(data);
        stream.Position = start;
        var (tail, scanner) = Scan(stream, "bin.000001", new BinlogFrameScannerOptions { StartPosition = start, InitialChecksum = ChecksumAlgorithm.Crc32 });
        scanner.Dispose();
        AssertSameFrames(frames.Skip(5).ToList(), tail);
    }

    private static bool IsCrc32File(List<Frame> frames) =>
        FormatFdeChecksum(frames[0].Bytes) == ChecksumAlgorithm.Crc32;

    private static ChecksumAlgorithm FormatFdeChecksum(byte[] fde) =>
        ReplicaKeeper.Binlog.Events.FormatDescriptionEvent.ReadChecksumAlgorithm(fde);

    private static void AssertSameFrames(List<Frame> expected, List<Frame> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Position, actual[i].Position);
            Assert.Equal(expected[i].Type, actual[i].Type);
            Assert.Equal(expected[i].Bytes, actual[i].Bytes);
        }
    }
}

using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Segments;

public sealed class SegmentRecoveryTests
{
    // Transaction boundaries (end_log_pos of FDE / PREVIOUS_GTIDS / GTID_LIST / checkpoints, XID, COMMIT, DDL,
    // XA PREPARE, TRANSACTION_PAYLOAD, ROTATE) of the fixtures' bin.000002, read off mariadb-binlog / mysqlbinlog output.
    public static TheoryData<string, int[]> Boundaries => new()
    {
        { "mariadb", [256, 299, 336, 373, 608, 859, 1008, 1049] },
        { "mysql", [127, 198, 497, 693, 976, 1390, 1431] },
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task A_crash_at_any_byte_is_cut_back_to_the_last_transaction_end_and_resuming_reproduces_the_file(string flavor, int[] boundaries)
    {
        var master = MasterFiles.Bytes(flavor, "bin.000002");
        // every byte around each boundary, and a stride through everything else
        var cuts = Enumerable.Range(0, master.Length).Where(c => c % 29 == 0 || c < 24 || boundaries.Any(b => Math.Abs(b - c) <= 2));
        foreach (var cut in cuts)
        {
            using var dir = new TempDirectory();
            dir.Layout.EnsureCreated();
            await File.WriteAllBytesAsync(dir.Layout.RawSegmentPath("bin.000002"), master.AsMemory(0, cut).ToArray());

            await using var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None);
            var expected = boundaries.Where(b => b <= cut).DefaultIfEmpty(4).Max();
            var (file, position) = writer.ResumePoint;
            Assert.Equal("bin.000002", file);
            Assert.True(expected == position, $"cut at {cut}: resume at {position}, expected {expected}");
            var raw = dir.Layout.RawSegmentPath("bin.000002");
            if (expected > 4)
            {
                Assert.Equal(expected, new FileInfo(raw).Length);
            }
            else
            {
                Assert.False(File.Exists(raw), $"cut at {cut}: a segment without a whole FORMAT_DESCRIPTION must be removed");
            }


            foreach (var ev in MasterFiles.DumpStream(flavor, "bin.000002", position))
            {
                await writer.AppendAsync(ev, CancellationToken.None);
            }

            await writer.FlushAsync(CancellationToken.None);
            Assert.True(master.AsSpan().SequenceEqual(File.ReadAllBytes(dir.Layout.RawSegmentPath("bin.000002"))), $"cut at {cut}: resumed file differs");
        }
    }

    [Fact]
    public async Task A_complete_segment_ending_in_rotate_resumes_at_the_next_file_without_changes()
    {
        using var dir = new TempDirectory();
        dir.Layout.EnsureCreated();
        var master = MasterFiles.Bytes("mysql", "bin.000002");
        await File.WriteAllBytesAsync(dir.Layout.RawSegmentPath("bin.000002"), master);
        var recovered = await SegmentRecovery.RecoverAsync(dir.Layout, CancellationToken.None);
        Assert.Equal(("bin.000003", 4L, 0L), (recovered.ResumeFile, recovered.ResumePosition, recovered.TruncatedBytes));
        Assert.Equal(master, File.ReadAllBytes(dir.Layout.RawSegmentPath("bin.000002")));
    }

    [Fact]
    public async Task Recovery_reports_the_torn_tail_it_removed()
    {
        using var dir = new TempDirectory();
        dir.Layout.EnsureCreated();
        var master = MasterFiles.Bytes("mysql", "bin.000002");
        await File.WriteAllBytesAsync(dir.Layout.RawSegmentPath("bin.000002"), master.AsMemory(0, 500).ToArray());
        var recovered = await SegmentRecovery.RecoverAsync(dir.Layout, CancellationToken.None);
        Assert.Equal(497, recovered.ResumePosition);
        Assert.Equal(3, recovered.TruncatedBytes);
        Assert.StartsWith("torn tail", recovered.TruncationReason, StringComparison.Ordinal);
        Assert.Equal(497, new FileInfo(dir.Layout.RawSegmentPath("bin.000002")).Length);
        Assert.Equal("607c45ad-e907-11f1-8991-02fc00000001:1-7", recovered.Durable!.Gtids);
    }

    [Fact]
    public async Task A_complete_segment_ending_in_rotate_resumes_at_the_next_file()
    {
        using var dir = new TempDirectory();
        dir.Layout.EnsureCreated();
        await File.WriteAllBytesAsync(dir.Layout.RawSegmentPath("bin.000002"), MasterFiles.Bytes("mariadb", "bin.000002"));
        var recovered = await SegmentRecovery.RecoverAsync(dir.Layout, CancellationToken.None);
        Assert.Equal(("bin.000003", 4L), (recovered.ResumeFile, recovered.ResumePosition));
        Assert.Equal(["bin.000002"], recovered.PendingSeal);
        Assert.Null(recovered.Active);
    }
}

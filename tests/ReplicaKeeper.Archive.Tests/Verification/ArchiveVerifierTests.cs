using System.Security.Cryptography;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Archive.Verification;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Verification;

public sealed class ArchiveVerifierTests
{
    [Theory]
    [InlineData("mariadb")]
    [InlineData("mysql")]
    public async Task A_whole_archive_verifies_clean(string flavor)
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, flavor);
        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(2, report.SealedSegments);
        Assert.Equal(1, report.RawSegments);
        Assert.Equal(MasterFiles.Names(flavor).Sum(n => MasterFiles.Bytes(flavor, n).LongLength), report.OriginalBytes);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_sealed_segment_is_named()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var path = dir.Layout.SealedPath("bin.000002.zst");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.False(report.IsValid);
        Assert.Contains(report.Problems, p => p.Segment == "bin.000002" && p.Message.Contains("SHA-256", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Problems, p => p.Segment == "bin.000001");
    }

    [Fact]
    public async Task A_flipped_byte_in_the_open_segment_is_named_with_its_event_offset()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var path = dir.Layout.RawSegmentPath("bin.000003");
        var bytes = File.ReadAllBytes(path);
        // inside the third event, the BINLOG_CHECKPOINT at 315..352 (mariadb-binlog: FDE 4..256, GTID_LIST 256..315)
        bytes[340] ^= 0x01; // in its body (the file name), past the 19-byte header
        File.WriteAllBytes(path, bytes);

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(("bin.000003", 315L), (problem.Segment, problem.Offset));
        Assert.Contains("CRC32 mismatch", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_segment_file_is_named()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        File.Delete(dir.Layout.SealedPath("bin.000001.zst"));
        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        var problem = Assert.Single(report.Problems);
        Assert.Equal("bin.000001", problem.Segment);
        Assert.Contains("missing", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_segment_removed_together_with_its_manifest_line_is_a_gap()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var lines = File.ReadAllLines(dir.Layout.ManifestPath);
        File.WriteAllLines(dir.Layout.ManifestPath, [lines[0]]);
        File.Delete(dir.Layout.SealedPath("bin.000002.zst"));

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.Contains(report.Problems, p => p.Segment == "bin.000003" && p.Message.Contains("follows bin.000001", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Message.Contains("ROTATE to bin.000002", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Message.Contains("GTIDs not contiguous", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reordered_manifest_breaks_the_chain()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var lines = File.ReadAllLines(dir.Layout.ManifestPath);
        File.WriteAllLines(dir.Layout.ManifestPath, [lines[1], lines[0]]);

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.Contains(report.Problems, p => p.ManifestLine == 1 && p.Message.Contains("hash chain broken", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.ManifestLine == 2 && p.Message.Contains("hash chain broken", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Segment == "bin.000001" && p.Message.Contains("out of order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_truncated_sealed_segment_is_named()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var path = dir.Layout.SealedPath("bin.000002.zst");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 20)]);

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.Contains(report.Problems, p => p.Segment == "bin.000002" && p.Message.Contains("truncated or changed", StringComparison.Ordinal));
        Assert.All(report.Problems, p => Assert.Equal("bin.000002", p.Segment));
    }

    [Fact]
    public async Task An_edited_manifest_entry_is_named()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var lines = File.ReadAllLines(dir.Layout.ManifestPath);
        lines[0] = lines[0].Replace("\"events\":", "\"events\":1", StringComparison.Ordinal);
        File.WriteAllLines(dir.Layout.ManifestPath, lines);

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.Contains(report.Problems, p => p.ManifestLine == 2 && p.Message.Contains("hash chain broken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Encrypted_archive_verifies_with_its_key_and_refuses_without_it_or_with_another()
    {
        using var dir = new TempDirectory();
        using var key = new ArchiveKey(RandomNumberGenerator.GetBytes(32));
        using var wrong = new ArchiveKey(RandomNumberGenerator.GetBytes(32));
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql", key);

        var report = await new ArchiveVerifier(dir.Layout, key).VerifyAsync(CancellationToken.None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        var missing = await Assert.ThrowsAsync<ArchiveKeyException>(async () => await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None));
        Assert.Contains("no archive key", missing.Message, StringComparison.Ordinal);
        var mismatch = await Assert.ThrowsAsync<ArchiveKeyException>(async () => await new ArchiveVerifier(dir.Layout, wrong).VerifyAsync(CancellationToken.None));
        Assert.Contains("wrong archive key", mismatch.Message, StringComparison.Ordinal);
    }
}

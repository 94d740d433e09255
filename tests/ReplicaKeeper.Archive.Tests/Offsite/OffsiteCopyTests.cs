using System.Security.Cryptography;
using System.Text;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Offsite;

/// <summary>Off-site copy of an archive made from a real MariaDB 10.11, to s3rver on loopback.</summary>
public sealed class OffsiteCopyTests(MariaDbArchiveFixture archive, S3rverFixture s3) : IClassFixture<MariaDbArchiveFixture>, IClassFixture<S3rverFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Upload_after_a_real_archive_run_gives_a_remote_copy_that_verifies_clean_with_and_without_the_local_archive()
    {
        using var store = s3.Store(Prefix());
        var result = await new OffsiteUploader(archive.Layout, store).UploadAsync(None);

        Assert.Equal(archive.Sealed.Select(s => "sealed/" + s + ".zst"), result.Uploaded);
        Assert.True(result.ManifestUploaded);
        using var sealedOnly = archive.Copy(); // the local archive without its open segment
        var local = await new ArchiveVerifier(sealedOnly.Layout, null).VerifyAsync(None);
        var withLocal = await new RemoteVerifier(store, archive.Layout, null).VerifyAsync(None);
        Assert.True(withLocal.IsValid, string.Join("\n", withLocal.Problems));
        Assert.Equal(archive.Sealed.Count, withLocal.ObjectsChecked);
        Assert.NotNull(withLocal.Contents);
        Assert.Equal(local.Events, withLocal.Contents.Events);
        Assert.Equal(local.Transactions, withLocal.Contents.Transactions);
        var alone = await new RemoteVerifier(store, null, null).VerifyAsync(None);
        Assert.True(alone.IsValid, string.Join("\n", alone.Problems));
        Assert.Null(alone.LocalManifestLines);
    }

    [Fact]
    public async Task A_second_upload_sends_nothing_and_new_manifest_lines_go_up_after_their_objects()
    {
        using var copy = archive.Copy();
        using var s3Store = s3.Store(Prefix());
        await new OffsiteUploader(copy.Layout, s3Store).UploadAsync(None);

        var again = new CountingStore(s3Store);
        var second = await new OffsiteUploader(copy.Layout, again).UploadAsync(None);
        Assert.Empty(again.Puts);
        Assert.False(second.ManifestUploaded);

        // a retention pass appends a retire line: only the manifest goes up, and the old object may stay
        await new ArchiveRetention(copy.Layout, new RetentionPolicy(MaxStoredBytes: 1), [], TimeProvider.System).ApplyAsync(None);
        var third = new CountingStore(s3Store);
        await new OffsiteUploader(copy.Layout, third).UploadAsync(None);
        Assert.Equal([OffsiteNames.Manifest], third.Puts);
        var report = await new RemoteVerifier(s3Store, copy.Layout, null).VerifyAsync(None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Contains(report.Notes, n => n.Contains("retired segments are still kept remotely", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remote_verify_names_a_deleted_an_altered_and_an_added_object()
    {
        using var store = s3.Store(Prefix());
        await new OffsiteUploader(archive.Layout, store).UploadAsync(None);
        var deleted = "sealed/" + archive.Sealed[1] + ".zst";
        var altered = "sealed/" + archive.Sealed[2] + ".zst";
        await store.DeleteAsync(deleted, None);
        var bytes = await DownloadAsync(store, altered);
        bytes[bytes.Length / 2] ^= 0x01;
        await PutAsync(store, altered, bytes);
        await PutAsync(store, "sealed/bin.999999.zst", Encoding.ASCII.GetBytes("not ours"));

        var report = await new RemoteVerifier(store, archive.Layout, null).VerifyAsync(None);

        Assert.False(report.IsValid);
        Assert.Equal(3, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Segment == archive.Sealed[1] && p.Message.Contains($"{deleted} is missing", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Segment == archive.Sealed[2] && p.Message.Contains($"{altered} has SHA-256", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Message.Contains("sealed/bin.999999.zst", StringComparison.Ordinal) && p.Message.Contains("not named", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remote_verify_names_a_remote_manifest_that_differs_from_the_local_one()
    {
        using var store = s3.Store(Prefix());
        await new OffsiteUploader(archive.Layout, store).UploadAsync(None);
        var lines = Encoding.UTF8.GetString(await DownloadAsync(store, OffsiteNames.Manifest)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        await PutAsync(store, OffsiteNames.Manifest, Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));

        var report = await new RemoteVerifier(store, archive.Layout, null).VerifyAsync(None);

        Assert.Contains(report.Problems, p => p.ManifestLine == 2 && p.Message.Contains("differs from the local one from line 2", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Message.Contains("remote copy: hash chain broken", StringComparison.Ordinal));
        var alone = await new RemoteVerifier(store, null, null).VerifyAsync(None);
        Assert.Contains(alone.Problems, p => p.Message.Contains("hash chain broken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_interrupted_upload_resumes_without_sending_objects_again_and_the_remote_manifest_never_names_a_missing_object()
    {
        using var copy = archive.Copy();
        using var s3Store = s3.Store(Prefix());
        var first = new CountingStore(s3Store) { FailAfterPuts = 2 };
        await Assert.ThrowsAsync<OffsiteException>(() => new OffsiteUploader(copy.Layout, first).UploadAsync(None));
        Assert.Equal(2, first.Puts.Count);

        // cut off: two objects there, no manifest yet; retention must not delete what is not copied
        var cut = await new RemoteVerifier(s3Store, copy.Layout, null).VerifyAsync(None);
        Assert.Contains(cut.Problems, p => p.Message.Contains("manifest.jsonl is missing", StringComparison.Ordinal));
        var pin = await new OffsiteRetentionPin(copy.Layout, s3Store.Target).OldestNeededAsync(None);
        Assert.Equal(archive.Sealed[2], pin?.Segment);

        var second = new CountingStore(s3Store);
        await new OffsiteUploader(copy.Layout, second).UploadAsync(None);
        Assert.Equal(archive.Sealed.Skip(2).Select(s => "sealed/" + s + ".zst").Append(OffsiteNames.Manifest), second.Puts);
        var report = await new RemoteVerifier(s3Store, copy.Layout, null).VerifyAsync(None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Null(await new OffsiteRetentionPin(copy.Layout, s3Store.Target).OldestNeededAsync(None));

        // the ledger lost (crash between a put and its ledger write): the store's own record avoids re-sending
        File.Delete(OffsiteLedger.PathIn(copy.Layout));
        var third = new CountingStore(s3Store);
        var result = await new OffsiteUploader(copy.Layout, third).UploadAsync(None);
        Assert.Equal([OffsiteNames.Manifest], third.Puts);
        Assert.Equal(archive.Sealed.Count, result.AlreadyThere);
    }

    [Fact]
    public async Task Upload_refuses_a_local_segment_that_no_longer_matches_the_manifest()
    {
        using var copy = archive.Copy();
        var path = copy.Layout.SealedPath(archive.Sealed[1] + ".zst");
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        using var s3Store = s3.Store(Prefix());
        var store = new CountingStore(s3Store);

        var ex = await Assert.ThrowsAsync<OffsiteException>(() => new OffsiteUploader(copy.Layout, store).UploadAsync(None));

        Assert.Contains(archive.Sealed[1], ex.Message, StringComparison.Ordinal);
        Assert.Equal(["sealed/" + archive.Sealed[0] + ".zst"], store.Puts); // nothing after it, and no manifest
    }

    private static string Prefix() => "t" + Guid.NewGuid().ToString("N")[..8] + "/";

    private static async Task<byte[]> DownloadAsync(IOffsiteStore store, string name)
    {
        await using var stream = await store.OpenReadAsync(name, None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task PutAsync(IOffsiteStore store, string name, byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        await store.PutAsync(name, content, Convert.ToHexStringLower(SHA256.HashData(bytes)), None);
    }
}

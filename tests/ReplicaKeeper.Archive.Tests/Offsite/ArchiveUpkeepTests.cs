using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Offsite;

/// <summary>The pass that runs beside the archiver: upload first, then retention, which never deletes what is not copied yet.</summary>
public sealed class ArchiveUpkeepTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task One_pass_copies_sealed_segments_off_site_before_retention_deletes_them_locally()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        using var store = s3.Store("upkeep" + Guid.NewGuid().ToString("N")[..6]);
        var failing = new CountingStore(store) { FailAfterPuts = 0 };
        var policy = new RetentionPolicy(MaxStoredBytes: 1);
        var sealedFiles = Directory.GetFiles(dir.Layout.SealedDirectory).Length;
        Assert.True(sealedFiles >= 2);

        // the store is down: the pass fails, and retention keeps everything not copied
        var down = new ArchiveUpkeep(dir.Layout, failing, new ArchiveRetention(dir.Layout, policy, [new OffsiteRetentionPin(dir.Layout, failing.Target)]));
        Assert.False(await down.RunOnceAsync(CancellationToken.None));
        Assert.Equal(sealedFiles, Directory.GetFiles(dir.Layout.SealedDirectory).Length);

        var up = new ArchiveUpkeep(dir.Layout, store, new ArchiveRetention(dir.Layout, policy, [new OffsiteRetentionPin(dir.Layout, store.Target)]));
        Assert.True(await up.RunOnceAsync(CancellationToken.None));
        Assert.Empty(Directory.GetFiles(dir.Layout.SealedDirectory));
        var report = await new RemoteVerifier(store, dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(sealedFiles, report.ObjectsChecked);
    }
}

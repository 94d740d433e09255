using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Archive.Verification;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Retention;

public sealed class ArchiveRetentionTests
{
    // the fixtures were written on 2026-11-25; "now" is a year later, so age-based retention wants everything gone
    private static readonly TimeProvider ALaterDay = new FixedTime(new DateTimeOffset(2027, 11, 25, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Expired_segments_go_oldest_first_but_never_one_a_snapshot_still_needs()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var pin = new FakePin(new RetentionPinPoint("bin.000002", 373, "snapshot taken at bin.000002:373"));
        var retention = new ArchiveRetention(dir.Layout, RetentionPolicy.Days(7), [pin], ALaterDay);

        var plan = await retention.ApplyAsync(CancellationToken.None);

        Assert.Equal(["bin.000001"], plan.Delete);
        Assert.Contains("fake snapshot", plan.KeptBecause, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Layout.SealedPath("bin.000001.zst")));
        Assert.True(File.Exists(dir.Layout.SealedPath("bin.000002.zst")));
        Assert.True(File.Exists(dir.Layout.RawSegmentPath("bin.000003")));
        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(CancellationToken.None);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
    }

    [Fact]
    public async Task A_pin_on_the_oldest_segment_keeps_everything()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var retention = new ArchiveRetention(dir.Layout, RetentionPolicy.Days(1),
            [new FakePin(null), new FakePin(new RetentionPinPoint("bin.000001", 4, "first snapshot"))], ALaterDay);
        var plan = await retention.ApplyAsync(CancellationToken.None);
        Assert.Empty(plan.Delete);
        Assert.Equal(2, (await Manifest.ReadAsync(dir.Layout, CancellationToken.None)).Entries.Count);
    }

    [Fact]
    public async Task Size_limit_removes_the_oldest_until_the_rest_fits_and_recent_segments_stay_by_age()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var entries = (await Manifest.ReadAsync(dir.Layout, CancellationToken.None)).Entries;
        var bySize = new ArchiveRetention(dir.Layout, new RetentionPolicy(MaxStoredBytes: entries[1].StoredSize), [], ALaterDay);
        Assert.Equal(["bin.000001"], (await bySize.PlanAsync(CancellationToken.None)).Delete);

        var byAgeNow = new ArchiveRetention(dir.Layout, RetentionPolicy.Days(7), [], new FixedTime(entries[1].LastTime!.Value.AddDays(1)));
        Assert.Empty((await byAgeNow.PlanAsync(CancellationToken.None)).Delete);
    }

    private sealed class FakePin(RetentionPinPoint? point) : IRetentionPin
    {
        public string Name => "fake snapshot";

        public ValueTask<RetentionPinPoint?> OldestNeededAsync(CancellationToken cancellationToken) => ValueTask.FromResult(point);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

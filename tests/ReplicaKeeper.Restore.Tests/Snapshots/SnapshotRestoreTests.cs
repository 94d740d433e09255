using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>Snapshots of a standby under load, and restores that start from them (see <see cref="SnapshotStory"/>).</summary>
public abstract class SnapshotRestoreTests<TStory>(TStory story) where TStory : SnapshotStory
{
    protected TStory Story { get; } = story;

    [Fact]
    public async Task Snapshots_taken_under_load_are_stamped_with_the_standby_applied_position_and_listed_oldest_first()
    {
        var listed = await SnapshotCatalog.ReadAsync(Story.Layout, default);

        Assert.Equal([Story.SnapshotA.Id, Story.SnapshotB.Id], listed.Select(s => s.Id));
        Assert.All(listed, s => Assert.Equal(SnapshotPositionOrigin.AppliedPosition, s.Position.Origin));
        Assert.All(listed, s => Assert.NotNull(s.Position.Binlog));
        Assert.All(listed, s => Assert.NotNull(s.SourceCommitTime));
        Assert.True(Story.SnapshotA.Position.ContainsGtid(Story.GtidAtPoint2) == false, "snapshot A holds nothing of phase 2's end");
        Assert.True(Story.SnapshotB.Position.ContainsGtid(Story.GtidAtPoint2) == true, "snapshot B holds all of phase 2");
        Assert.All(listed, s => Assert.Equal(2, s.Tables)); // shop.types, shop.orders (the view is not a table)
    }

    [Fact]
    public async Task Restore_latest_from_the_newest_snapshot_equals_the_master()
    {
        var result = await RestoreAsync(RestoreTarget.Latest);

        Assert.Equal(Story.SnapshotB.Id, result.Snapshot?.Id);
        Assert.True(result.TransactionsApplied > 0);
        Assert.Equal(Story.AtEnd, await SnapshotStory.ChecksumsAsync(Story.Target, SnapshotStory.Tables));
        Assert.Equal(
            await Story.Master.ScalarAsync<long>("SELECT COUNT(*) FROM shop.big_orders"),
            await Story.Target.ScalarAsync<long>("SELECT COUNT(*) FROM shop.big_orders"));
        Assert.Contains($"from snapshot {Story.SnapshotB.Id}", result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_column_type_round_trips_exactly_through_a_snapshot()
    {
        var result = await RestoreAsync(RestoreTarget.ToGtid(Story.GtidAtPoint3));

        Assert.Equal(Story.SnapshotB.Id, result.Snapshot?.Id);
        Assert.Equal(Story.Types, await SnapshotStory.ChecksumsAsync(Story.Target, ["shop.types"]));
        const string columns = "CONCAT_WS('|', id, ti, tu, si, mi, ii, bi, bu, de, de2, HEX(CAST(fl + 0e0 AS BINARY)), fl2, HEX(CAST(db AS BINARY)), HEX(bt), HEX(b1), yr, dt, dtm, dt0, ts, tm, "
            + "HEX(ch), HEX(vc), HEX(l1), HEX(bn), HEX(vb), HEX(tx), HEX(bl), SHA2(lb, 256), en, st, js, HEX(ST_AsBinary(g)), gen, genv)";
        for (var id = 1; id <= 4; id++)
        {
            Assert.Equal(
                await Story.Master.ScalarAsync<string>($"SELECT {columns} FROM shop.types WHERE id = {id}"),
                await Story.Target.ScalarAsync<string>($"SELECT {columns} FROM shop.types WHERE id = {id}"));
        }
    }

    [Fact]
    public async Task Restore_to_a_point_after_the_newest_snapshot_replays_up_to_exactly_that_transaction()
    {
        var result = await RestoreAsync(RestoreTarget.ToGtid(Story.GtidAtPoint3));

        Assert.Equal(Story.SnapshotB.Id, result.Snapshot?.Id);
        Assert.Equal(Story.GtidAtPoint3, result.LastGtid);
        Assert.Equal(Story.AtPoint3, await SnapshotStory.ChecksumsAsync(Story.Target, SnapshotStory.Tables));
    }

    [Fact]
    public async Task Restore_to_a_point_before_the_newest_snapshot_starts_from_the_older_one()
    {
        var result = await RestoreAsync(RestoreTarget.ToGtid(Story.GtidAtPoint2));

        Assert.Equal(Story.SnapshotA.Id, result.Snapshot?.Id);
        Assert.Equal(Story.AtPoint2, await SnapshotStory.ChecksumsAsync(Story.Target, SnapshotStory.Tables));
    }

    [Fact]
    public async Task Skipping_a_transaction_the_newest_snapshot_holds_starts_from_an_older_snapshot_and_leaves_it_out()
    {
        var result = await RestoreAsync(RestoreTarget.ToGtid(Story.MarkerGtid), skip: [Story.GtidAtPoint2]);

        Assert.Equal(Story.SnapshotA.Id, result.Snapshot?.Id);
        Assert.Equal([Story.GtidAtPoint2], result.SkippedGtids);
        Assert.Equal(Story.MarkerGtid, result.LastGtid);
        Assert.Equal(0L, await Story.Target.ScalarAsync<long>($"SELECT COUNT(*) FROM shop.orders WHERE id = {Story.LastOrderAtPoint2}"));
        Assert.Equal(1L, await Story.Target.ScalarAsync<long>($"SELECT COUNT(*) FROM shop.orders WHERE id = {Story.LastOrderAtPoint2 - 1}"));
        Assert.Equal(1L, await Story.Target.ScalarAsync<long>("SELECT COUNT(*) FROM shop.orders WHERE id = 900000"));
    }

    [Fact]
    public async Task Encrypted_snapshot_without_the_key_is_refused_clearly_and_loads_with_it()
    {
        using var archive = new TempDirectory();
        var layout = new ArchiveLayout(archive.Path);
        using var key = new ArchiveKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(ArchiveKey.Size));
        var snapshot = await Story.TakeAsync(layout, key);

        Assert.True(snapshot.IsEncrypted);
        Assert.True(File.Exists(snapshot.StoredPath) && snapshot.StoredPath.EndsWith(".rks.zst.aes", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<ArchiveKeyException>(() => SnapshotLoader.LoadAsync(snapshot, null, Story.Target.AdminConnectionString, "default", null, default));
        Assert.Contains($"snapshot {snapshot.Id} is encrypted", error.Message, StringComparison.Ordinal);
        Assert.Contains("--key-file", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArchiveKeyException>(() => new ArchiveVerifier(layout, null).VerifyAsync(default).AsTask());

        await TargetInstance.ResetAsync(Story.Target.AdminConnectionString, default);
        await SnapshotLoader.LoadAsync(snapshot, key, Story.Target.AdminConnectionString, "default", null, default);
        Assert.Equal(Story.Types, await SnapshotStory.ChecksumsAsync(Story.Target, ["shop.types"]));
        Assert.Empty((await new ArchiveVerifier(layout, key).VerifyAsync(default)).Problems);
    }

    [Fact]
    public async Task Tampered_snapshot_is_named_by_verify_and_refused_by_restore_before_the_target_is_touched()
    {
        using var copy = CopyArchive();
        var layout = new ArchiveLayout(copy.Path);
        var stored = Path.Combine(copy.Path, Path.GetRelativePath(Story.Layout.Root, Story.SnapshotB.StoredPath));
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(stored, bytes);

        var report = await new ArchiveVerifier(layout, null).VerifyAsync(default);
        var problem = Assert.Single(report.Problems, p => p.Segment == Story.SnapshotB.Id);
        Assert.Contains("tampered", problem.Message, StringComparison.Ordinal);

        var source = await ArchiveSource.OpenAsync(copy.Path, null, default);
        var error = await Assert.ThrowsAsync<SnapshotFormatException>(async () => await new PointInTimeRestore(source).PlanAsync(RestoreTarget.Latest, [], default));
        Assert.Contains(Story.SnapshotB.Id, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_keeps_the_segments_the_oldest_kept_snapshot_needs()
    {
        using var copy = CopyArchive();
        var layout = new ArchiveLayout(copy.Path);
        var everything = new RetentionPolicy(MaxAge: TimeSpan.Zero);
        var pins = new IRetentionPin[] { new SnapshotRetentionPin(layout) };

        var plan = await new ArchiveRetention(layout, everything, pins).ApplyAsync(default);

        Assert.NotEmpty(plan.Delete);
        Assert.DoesNotContain(Story.SnapshotA.Position.File, plan.Delete);
        Assert.Contains("snapshots", plan.KeptBecause, StringComparison.Ordinal);
        Assert.Contains(Story.SnapshotA.Id, plan.KeptBecause, StringComparison.Ordinal);
        var source = await ArchiveSource.OpenAsync(copy.Path, null, default);
        var restorable = await new PointInTimeRestore(source).PlanAsync(RestoreTarget.ToGtid(Story.GtidAtPoint2), [], default);
        Assert.Equal(Story.SnapshotA.Id, restorable.Snapshot?.Id);

        // Keeping only the newest snapshot retires A; the pin then moves to B's segment.
        var retired = await new SnapshotRetention(KeepNewest: 1).ApplyAsync(layout, null, default);
        Assert.Equal([Story.SnapshotA.Id], retired.Select(s => s.Id));
        Assert.False(File.Exists(Path.Combine(copy.Path, Path.GetRelativePath(Story.Layout.Root, Story.SnapshotA.StoredPath))));
        var point = await new SnapshotRetentionPin(layout).OldestNeededAsync(default);
        Assert.Equal(Story.SnapshotB.Position.File, point?.Segment);
        Assert.Empty((await new ArchiveVerifier(layout, null).VerifyAsync(default)).Problems);
    }

    [Fact]
    public async Task Without_a_snapshot_an_archive_from_the_master_first_binlog_replays_from_its_start()
    {
        var result = await RestoreAsync(RestoreTarget.ToGtid(Story.GtidAtPoint2), new RestoreOptions { UseSnapshots = false });

        Assert.Null(result.Snapshot);
        Assert.Equal(Story.AtPoint2, await SnapshotStory.ChecksumsAsync(Story.Target, SnapshotStory.Tables));
    }

    private async Task<RestoreResult> RestoreAsync(RestoreTarget target, RestoreOptions? options = null, IReadOnlyCollection<string>? skip = null)
    {
        var connection = Story.Target.AdminConnectionString;
        await TargetInstance.ResetAsync(connection, default);
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var restore = new PointInTimeRestore(source);
        var plan = await restore.PlanAsync(target, skip ?? [], options ?? RestoreOptions.Default, default);
        return await restore.ReplayAsync(plan, connection, null, default);
    }

    private TempDirectory CopyArchive()
    {
        var copy = new TempDirectory();
        foreach (var file in Directory.GetFiles(Story.ArchiveDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Story.ArchiveDirectory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy.Path, relative))!);
            File.Copy(file, Path.Combine(copy.Path, relative));
        }

        return copy;
    }
}

public sealed class MariaDbSnapshotRestoreTests(MariaDbSnapshotStory story) : SnapshotRestoreTests<MariaDbSnapshotStory>(story), IClassFixture<MariaDbSnapshotStory>;

public sealed class MySqlSnapshotRestoreTests(MySqlSnapshotStory story) : SnapshotRestoreTests<MySqlSnapshotStory>(story), IClassFixture<MySqlSnapshotStory>;

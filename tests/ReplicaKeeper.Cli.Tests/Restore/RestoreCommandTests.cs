using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Restore;

/// <summary>The real <c>replicakeeper snapshot</c> and <c>replicakeeper restore</c> against MariaDB (see <see cref="CliRestoreStory"/>).</summary>
public sealed class RestoreCommandTests(CliRestoreStory story) : IClassFixture<CliRestoreStory>
{
    private TestServer Target => story.Target;

    private string ArchiveDirectory => story.ArchiveDirectory;

    [Fact]
    public async Task Snapshot_command_snapshots_the_standby_into_the_archive_and_lists_it()
    {
        var run = story.SnapshotRun;

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = Assert.Single(System.Text.RegularExpressions.Regex.Matches(run.Output, @"^snapshot (snap-[0-9-]+): 2 tables, 120 rows", System.Text.RegularExpressions.RegexOptions.Multiline)).Groups[1].Value;
        Assert.Contains("tables read with 2 connection(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("corresponds to source GTID position", run.Output, StringComparison.Ordinal);

        var list = await CliRun.RunAsync(["snapshot", "list", "--archive", ArchiveDirectory]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith(id + " taken ", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_latest_into_an_empty_scratch_starts_from_the_snapshot_and_prints_what_it_restored_to()
    {
        await TargetInstance.ResetAsync(Target.AdminConnectionString, default);

        var run = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--latest"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("starting from snapshot snap-", run.Output, StringComparison.Ordinal);
        Assert.Contains($"restored to GTID {story.LastGtid} ", run.Output, StringComparison.Ordinal);
        Assert.Contains("events created DISABLED: clinic.reminders (enable the ones this instance should run", run.Output, StringComparison.Ordinal);
        Assert.Equal("DISABLED", await Target.ScalarAsync<string>("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_NAME = 'reminders'"));
        Assert.Equal(story.MasterChecksum, await CliRestoreStory.ChecksumAsync(Target, "clinic.patients"));
        Assert.Equal(0L, await Target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.patients WHERE id = 42"));
        Assert.Equal(100L, await Target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.visits"));
    }

    [Fact]
    public async Task Restore_with_skip_gtid_replays_everything_but_the_bad_delete()
    {
        await TargetInstance.ResetAsync(Target.AdminConnectionString, default);

        var run = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--latest", "--skip-gtid", story.BadGtid]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"restored to GTID {story.LastGtid} ", run.Output, StringComparison.Ordinal);
        Assert.Contains("1 skipped", run.Output, StringComparison.Ordinal);
        Assert.Equal("patient 42 ö", await Target.ScalarAsync<string>("SELECT name FROM clinic.patients WHERE id = 42"));
        Assert.Equal(100L, await Target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.patients"));
        const string others = "SELECT MD5(GROUP_CONCAT(id, name, born, note ORDER BY id)) FROM clinic.patients WHERE id <> 42";
        Assert.Equal(await story.Master.ScalarAsync<string>(others), await Target.ScalarAsync<string>(others));
        Assert.Equal(await CliRestoreStory.ChecksumAsync(story.Master, "clinic.visits"), await CliRestoreStory.ChecksumAsync(Target, "clinic.visits"));
    }

    [Fact]
    public async Task Missing_archive_is_refused_naming_it_and_nothing_is_written()
    {
        await TargetInstance.ResetAsync(Target.AdminConnectionString, default);
        var missing = Path.Combine(Path.GetTempPath(), "rk-no-archive-" + Guid.NewGuid().ToString("N")[..8]);

        var restore = await CliRun.RunAsync(["restore", "--archive", missing, "--target", Target.AdminConnectionString, "--latest"]);
        var snapshot = await CliRun.RunAsync(["snapshot", "--from", story.Standby.AdminConnectionString, "--archive", missing]);

        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Contains($"archive directory {missing} does not exist", restore.Error, StringComparison.Ordinal);
        Assert.Empty(await TargetInstance.UserSchemasAsync(Target.AdminConnectionString, default));
        Assert.True(snapshot.ExitCode == 2, snapshot.ToString());
        Assert.Contains($"archive directory {missing} does not exist", snapshot.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task Non_empty_target_without_overwrite_is_refused_and_left_as_it_was()
    {
        await TargetInstance.ResetAsync(Target.AdminConnectionString, default);
        await Target.ExecuteAsync("CREATE DATABASE keepme; CREATE TABLE keepme.t (id INT PRIMARY KEY); INSERT INTO keepme.t VALUES (7)");

        var run = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--latest"]);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("the target is not empty (schemas: keepme)", run.Error, StringComparison.Ordinal);
        Assert.Contains("--overwrite", run.Error, StringComparison.Ordinal);
        Assert.Equal(["keepme"], await TargetInstance.UserSchemasAsync(Target.AdminConnectionString, default));
        Assert.Equal(7, await Target.ScalarAsync<int>("SELECT id FROM keepme.t"));

        var overwritten = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--latest", "--overwrite"]);
        Assert.True(overwritten.ExitCode == 0, overwritten.ToString());
        var schemas = await TargetInstance.UserSchemasAsync(Target.AdminConnectionString, default);
        Assert.Contains("clinic", schemas);
        Assert.DoesNotContain("keepme", schemas);
    }

    [Fact]
    public async Task Two_restore_targets_are_refused_before_anything_is_written()
    {
        await TargetInstance.ResetAsync(Target.AdminConnectionString, default);

        var twoPoints = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--latest", "--to-gtid", story.BadGtid]);
        var twoInstances = await CliRun.RunAsync(["restore", "--archive", ArchiveDirectory, "--target", Target.AdminConnectionString, "--target", story.Standby.AdminConnectionString, "--latest"]);

        Assert.True(twoPoints.ExitCode == 2, twoPoints.ToString());
        Assert.Contains("give exactly one of --to-time, --to-gtid, --before-gtid, --to-position, --latest", twoPoints.Error, StringComparison.Ordinal);
        Assert.True(twoInstances.ExitCode == 1, twoInstances.ToString());
        Assert.Contains("Option '--target' expects a single argument but 2 were provided", twoInstances.Error, StringComparison.Ordinal);
        Assert.Empty(await TargetInstance.UserSchemasAsync(Target.AdminConnectionString, default));
        Assert.Contains("clinic", await TargetInstance.UserSchemasAsync(story.Standby.AdminConnectionString, default));
    }
}

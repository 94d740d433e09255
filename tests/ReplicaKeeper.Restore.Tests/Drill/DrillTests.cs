using System.Net;
using System.Net.Sockets;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Drill;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Drill;

/// <summary>The restore drill against a real master, standby and scratch instance.</summary>
public abstract class DrillTests<TStory>(TStory story) where TStory : DrillStory
{
    protected TStory Story { get; } = story;

    [Fact]
    public async Task Drill_passes_on_a_healthy_archive_and_reports_every_table_matching_in_markdown_and_html()
    {
        using var reports = new TempDirectory();

        var result = await RunAsync(Story.ArchiveDirectory, reports.Path);

        Assert.True(result.Passed, result.Summary + "\n" + string.Join("\n", result.Problems));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["audit.log", "shop.items", "shop.orders"], result.Tables.Select(t => t.Table.ToString()));
        Assert.All(result.Tables, t => Assert.Equal(t.StandbyChecksum, t.ScratchChecksum));
        Assert.Equal(await Story.Master.ScalarAsync<long>("SELECT COUNT(*) FROM shop.items"), await Story.Scratch.ScalarAsync<long>("SELECT COUNT(*) FROM shop.items"));
        Assert.Equal(Story.Snapshot.Id, result.SnapshotId);
        Assert.Equal(Story.Snapshot.Position.File, result.Segments[0]);
        Assert.True(result.Segments.Count >= 2, string.Join(", ", result.Segments));
        Assert.InRange(result.TransactionsApplied, 10, 40); // only what came after the snapshot
        Assert.Contains("loaded in", result.Phases.Single(p => p.Name == "restore").Detail, StringComparison.Ordinal);
        Assert.StartsWith("--to-gtid ", result.RestoreTarget, StringComparison.Ordinal);
        Assert.Equal(result.RestoreTarget, "--to-gtid " + result.LastGtid);
        Assert.Equal(["read standby", "verify archive", "plan restore", "reset scratch", "restore", "checksum scratch"], result.Phases.Select(p => p.Name));

        var markdown = await File.ReadAllTextAsync(result.MarkdownReportPath!);
        Assert.StartsWith("# ReplicaKeeper restore drill: PASSED", markdown, StringComparison.Ordinal);
        Assert.Contains("| shop.items | " + result.Tables[1].StandbyChecksum + " | " + result.Tables[1].StandbyChecksum + " | match |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Transactions applied | " + result.TransactionsApplied + " |", markdown, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(result.HtmlReportPath!);
        Assert.Contains("<span class=\"ok\">PASSED</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td>audit.log</td>", html, StringComparison.Ordinal);

        // the snapshot's event comes out DISABLED, the replayed one disabled as on a replica: both named with their ENABLE statement
        Assert.Equal(["audit.rotate", "shop.nightly_cleanup"], result.DisabledEvents.Select(e => e.Schema + "." + e.Name));
        Assert.Equal("DISABLED", result.DisabledEvents[1].Status);
        Assert.NotEqual("ENABLED", result.DisabledEvents[0].Status);
        Assert.Contains("## Scheduled events left disabled on the scratch instance", markdown, StringComparison.Ordinal);
        Assert.Contains("| shop.nightly_cleanup | DISABLED", markdown, StringComparison.Ordinal);
        Assert.Contains("| `` ALTER EVENT `shop`.`nightly_cleanup` ENABLE `` |", markdown, StringComparison.Ordinal);
        Assert.Contains("<h2>Scheduled events left disabled on the scratch instance</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<td>audit.rotate</td>", html, StringComparison.Ordinal);
        Assert.Equal(Path.ChangeExtension(result.MarkdownReportPath, ".html"), result.HtmlReportPath);
    }

    [Fact]
    public void Standby_applier_reports_the_source_commit_time_of_its_last_transaction()
    {
        // the last transaction was written during the story's final batch: after the workload started, before the catch-up ended
        Assert.NotNull(Story.AppliedSourceTime);
        Assert.InRange(Story.AppliedSourceTime.Value, Story.WorkloadStartedAt.AddSeconds(-1), Story.CaughtUpAt);
    }

    [Fact]
    public async Task Drill_without_snapshots_replays_the_whole_archive_from_its_first_segment_and_passes()
    {
        var result = await new DrillRunner(new DrillOptions
        {
            ArchiveDirectory = Story.ArchiveDirectory,
            ScratchConnectionString = Story.Scratch.AdminConnectionString,
            CompareConnectionString = Story.Standby.AdminConnectionString,
            UseSnapshots = false,
            AllowArchiveWithoutBase = true, // the standby started at the archive's first segment
        }).RunAsync(default);

        Assert.True(result.Passed, result.Summary);
        Assert.Null(result.SnapshotId);
        var source = await Archive.ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        Assert.Equal(source.Segments.Select(s => s.Name), result.Segments);
        Assert.True(result.TransactionsApplied > 40, result.TransactionsApplied.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Drill_fails_as_archive_damaged_on_a_flipped_byte_in_the_snapshot()
    {
        using var copy = CopyArchive();
        var stored = Path.Combine(copy.Path, Path.GetRelativePath(Story.ArchiveDirectory, Story.Snapshot.StoredPath));
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(stored, bytes);

        var result = await RunAsync(copy.Path, null);

        Assert.Equal(DrillVerdict.ArchiveDamaged, result.Verdict);
        Assert.Contains(result.Problems, p => p.Contains(Story.Snapshot.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Phases, p => p.Name == "restore");
    }

    [Fact]
    public async Task Drill_fails_as_archive_damaged_on_a_flipped_byte_in_a_sealed_segment_without_touching_the_scratch()
    {
        using var copy = CopyArchive();
        var entry = (await Manifest.ReadAsync(new ReplicaKeeper.Archive.ArchiveLayout(copy.Path), default)).Entries.First(e => e.StoredName is not null);
        var sealedFile = Path.Combine(copy.Path, "sealed", entry.StoredName!);
        var bytes = await File.ReadAllBytesAsync(sealedFile);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(sealedFile, bytes);
        await PutMarkerOnScratchAsync();
        using var reports = new TempDirectory();

        var result = await RunAsync(copy.Path, reports.Path);

        Assert.Equal(DrillVerdict.ArchiveDamaged, result.Verdict);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains(result.Problems, p => p.Contains(entry.Segment, StringComparison.Ordinal));
        Assert.False(result.Phases.Single(p => p.Name == "verify archive").Succeeded);
        Assert.DoesNotContain(result.Phases, p => p.Name == "restore");
        Assert.Equal(1L, await Story.Scratch.ScalarAsync<long>("SELECT COUNT(*) FROM drill_marker.m"));
        var markdown = await File.ReadAllTextAsync(result.MarkdownReportPath!);
        Assert.StartsWith("# ReplicaKeeper restore drill: FAILED: archive damaged", markdown, StringComparison.Ordinal);
        Assert.Contains(entry.Segment, markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drill_fails_as_archive_damaged_on_a_deleted_segment_naming_it()
    {
        using var copy = CopyArchive();
        var entry = (await Manifest.ReadAsync(new ReplicaKeeper.Archive.ArchiveLayout(copy.Path), default)).Entries.Where(e => e.StoredName is not null).ElementAt(1);
        File.Delete(Path.Combine(copy.Path, "sealed", entry.StoredName!));
        await PutMarkerOnScratchAsync();

        var result = await RunAsync(copy.Path, null);

        Assert.Equal(DrillVerdict.ArchiveDamaged, result.Verdict);
        Assert.Contains(result.Problems, p => p.Contains(entry.Segment, StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(entry.Segment, result.Summary, StringComparison.Ordinal);
        Assert.Equal(1L, await Story.Scratch.ScalarAsync<long>("SELECT COUNT(*) FROM drill_marker.m"));
        Assert.Null(result.MarkdownReportPath);
    }

    [Fact]
    public async Task Drill_fails_as_mismatch_naming_the_table_when_the_standby_was_changed_behind_our_back()
    {
        var original = await Story.Standby.ScalarAsync<string>("SELECT name FROM shop.items WHERE id = 3");
        await Story.Standby.ExecuteAsync("SET SESSION sql_log_bin = 0; UPDATE shop.items SET name = 'changed on the standby' WHERE id = 3");
        DrillResult result;
        try
        {
            using var reports = new TempDirectory();
            result = await RunAsync(Story.ArchiveDirectory, reports.Path);
            var html = await File.ReadAllTextAsync(result.HtmlReportPath!);
            Assert.Contains("<td class=\"bad\">differs</td>", html, StringComparison.Ordinal);
        }
        finally
        {
            await Story.Standby.ExecuteAsync($"SET SESSION sql_log_bin = 0; UPDATE shop.items SET name = '{original}' WHERE id = 3");
        }

        Assert.Equal(DrillVerdict.Mismatch, result.Verdict);
        Assert.Equal(1, result.ExitCode);
        var items = Assert.Single(result.Tables, t => !t.Matches);
        Assert.Equal("shop.items", items.Table.ToString());
        Assert.Equal("differs", items.Status);
        Assert.All(result.Tables.Where(t => t.Table.ToString() != "shop.items"), t => Assert.True(t.Matches));
        Assert.Contains("shop.items", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drill_refuses_a_scratch_that_is_the_standby_itself_and_leaves_it_intact()
    {
        var rows = await Story.Standby.ScalarAsync<long>("SELECT COUNT(*) FROM shop.items");

        var result = await new DrillRunner(new DrillOptions
        {
            ArchiveDirectory = Story.ArchiveDirectory,
            ScratchConnectionString = Story.Standby.AdminConnectionString,
            CompareConnectionString = Story.Standby.AdminConnectionString,
        }).RunAsync(default);

        Assert.Equal(DrillVerdict.InvalidSetup, result.Verdict);
        Assert.Contains("same instance", result.Summary, StringComparison.Ordinal);
        Assert.Equal(rows, await Story.Standby.ScalarAsync<long>("SELECT COUNT(*) FROM shop.items"));
    }

    [Fact]
    public async Task Drill_with_an_unreachable_standby_fails_with_the_connection_verdict()
    {
        var result = await new DrillRunner(new DrillOptions
        {
            ArchiveDirectory = Story.ArchiveDirectory,
            ScratchConnectionString = Story.Scratch.AdminConnectionString,
            CompareConnectionString = $"Server=127.0.0.1;Port={ClosedPort()};User ID=rk_admin;Password=rk-admin-secret;Connection Timeout=5",
        }).RunAsync(default);

        Assert.Equal(DrillVerdict.ConnectionFailed, result.Verdict);
        Assert.Equal(4, result.ExitCode);
        Assert.DoesNotContain("rk-admin-secret", result.Summary + string.Join("", result.Problems) + result.Standby, StringComparison.Ordinal);
    }

    private Task<DrillResult> RunAsync(string archive, string? reports) => new DrillRunner(new DrillOptions
    {
        ArchiveDirectory = archive,
        ScratchConnectionString = Story.Scratch.AdminConnectionString,
        CompareConnectionString = Story.Standby.AdminConnectionString,
        ReportDirectory = reports,
    }).RunAsync(default);

    private async Task PutMarkerOnScratchAsync() =>
        await Story.Scratch.ExecuteAsync("DROP DATABASE IF EXISTS drill_marker; CREATE DATABASE drill_marker; CREATE TABLE drill_marker.m (id INT PRIMARY KEY); INSERT INTO drill_marker.m VALUES (1)");

    private TempDirectory CopyArchive()
    {
        var copy = new TempDirectory();
        foreach (var file in Directory.EnumerateFiles(Story.ArchiveDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Path, Path.GetRelativePath(Story.ArchiveDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return copy;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class MariaDbDrillTests(MariaDbDrillStory story) : DrillTests<MariaDbDrillStory>(story), IClassFixture<MariaDbDrillStory>;

public sealed class MySqlDrillTests(MySqlDrillStory story) : DrillTests<MySqlDrillStory>(story), IClassFixture<MySqlDrillStory>;

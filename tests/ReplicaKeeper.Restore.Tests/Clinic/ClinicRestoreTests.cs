using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Clinic;

/// <summary>The clinic story: find the bad DELETE, restore before it, restore without it, refuse broken archives.</summary>
public abstract class ClinicRestoreTests<TStory>(TStory story) where TStory : ClinicStory
{
    /// <summary>The story's archive starts at a FLUSH, not at the master's first binlog; nothing before it matters.</summary>
    protected static readonly RestoreOptions FromArchiveStart = new() { AllowArchiveWithoutBase = true };

    protected TStory Story { get; } = story;

    [Fact]
    public async Task Find_names_the_transaction_that_deleted_patient_4711_with_its_before_image()
    {
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var found = await FindDeleteAsync(source);

        var change = Assert.Single(found);
        Assert.Equal(RowOperation.Delete, change.Operation);
        Assert.NotNull(change.Gtid);
        Assert.Equal("clinic.patients", change.Table);
        Assert.Contains("DELETE FROM clinic.patients WHERE id=4711", change.Statement, StringComparison.Ordinal);
        var before = change.Before!.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("4711", before["id"]);
        Assert.Equal("Patient 4711 ünïcödé", before["name"]);
        Assert.StartsWith("4711|Patient 4711 ünïcödé|" + before["born"] + "|" + before["balance"], Story.Patient4711, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_before_the_delete_equals_the_master_just_before_it()
    {
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var gtid = (await FindDeleteAsync(source)).Single().Gtid!;

        var result = await RestoreAsync(source, RestoreTarget.BeforeGtid(gtid), []);

        Assert.Equal(Story.BeforeDelete, await ClinicStory.ChecksumsAsync(Story.Target));
        Assert.Equal(Story.Patient4711, await ClinicStory.RowTextAsync(Story.Target, 4711));
        Assert.NotEqual(gtid, result.LastGtid);
        Assert.Equal(0, result.TransactionsSkipped);
    }

    [Fact]
    public async Task Restore_skipping_the_delete_gives_the_master_data_plus_the_deleted_patient()
    {
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var gtid = (await FindDeleteAsync(source)).Single().Gtid!;

        var result = await RestoreAsync(source, RestoreTarget.Latest, [gtid]);

        Assert.Equal([gtid], result.SkippedGtids);
        Assert.Equal(Story.Patient4711, await ClinicStory.RowTextAsync(Story.Target, 4711));
        Assert.Equal(Story.AtEnd["studies"], (await ClinicStory.ChecksumsAsync(Story.Target))["studies"]);
        Assert.Null((await ClinicStory.ChecksumsAsync(Story.Target))["appointments"]); // the DROP TABLE was replayed
        await Story.Target.ExecuteAsync("DELETE FROM clinic.patients WHERE id=4711");
        Assert.Equal(Story.AtEnd, await ClinicStory.ChecksumsAsync(Story.Target));
    }

    [Fact]
    public async Task Restore_to_the_gtid_before_the_drop_table_keeps_appointments()
    {
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var reader = new Reading.TransactionReader(source, keepRawBytes: false);
        string? drop = null;
        await foreach (var t in reader.ReadAsync(source.Segments, default))
        {
            if (t.Events.Any(e => e.Event is Binlog.Events.QueryEvent q && q.Query.Contains("DROP TABLE", StringComparison.OrdinalIgnoreCase)))
            {
                drop = t.Gtid;
            }
        }

        Assert.NotNull(drop);
        await RestoreAsync(source, RestoreTarget.BeforeGtid(drop!), []);

        Assert.NotNull((await ClinicStory.ChecksumsAsync(Story.Target))["appointments"]);
        Assert.Equal(20L, await Story.Target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.appointments"));
    }

    [Fact]
    public async Task Missing_segment_is_refused_naming_the_gap_before_the_target_is_touched()
    {
        using var copy = CopyArchive();
        var names = Directory.GetFiles(copy.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var missing = names[2]!;
        File.Delete(Path.Combine(copy.Path, missing));
        await PrepareMarkerAsync();

        var source = await ArchiveSource.OpenAsync(copy.Path, null, default);
        var error = await Assert.ThrowsAsync<ArchiveGapException>(async () =>
            await new PointInTimeRestore(source).PlanAsync(RestoreTarget.Latest, [], FromArchiveStart, default));

        Assert.Contains(names[1]!, error.Message, StringComparison.Ordinal);
        Assert.Contains(names[3]!, error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await Story.Target.ScalarAsync<long>("SELECT COUNT(*) FROM marker.m"));
    }

    [Fact]
    public async Task Corrupt_segment_is_refused_naming_it()
    {
        using var copy = CopyArchive();
        var names = Directory.GetFiles(copy.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var damaged = Path.Combine(copy.Path, names[1]!);
        var bytes = await File.ReadAllBytesAsync(damaged);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(damaged, bytes);

        var source = await ArchiveSource.OpenAsync(copy.Path, null, default);
        var error = await Assert.ThrowsAsync<ArchiveGapException>(async () =>
            await new PointInTimeRestore(source).PlanAsync(RestoreTarget.Latest, [], FromArchiveStart, default));

        Assert.Contains(names[1]!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flashback_puts_the_deleted_patient_in_quarantine_and_its_script_brings_him_back_exactly()
    {
        var source = await ArchiveSource.OpenAsync(Story.ArchiveDirectory, null, default);
        var gtid = (await FindDeleteAsync(source)).Single().Gtid!;
        await RestoreAsync(source, RestoreTarget.Latest, []);
        Assert.Null(await ClinicStory.RowTextAsync(Story.Target, 4711));

        var script = await new Flashback.FlashbackBuilder(source).BuildAsync([gtid], default);
        var diff = await Flashback.QuarantineLoader.LoadAsync(script, Story.Target.AdminConnectionString, "quarantine", default);

        Assert.Equal(Story.Patient4711, await Story.Target.ScalarAsync<string>(
            "SELECT CONCAT_WS('|', id, name, born, balance, HEX(photo), updated, note) FROM quarantine.patients WHERE id = 4711"));
        Assert.Contains("  production: (row missing)", diff);
        Assert.Null(await ClinicStory.RowTextAsync(Story.Target, 4711)); // production untouched

        var run = await Story.Target.RunClientAsync(script.ToSql());
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(Story.Patient4711, await ClinicStory.RowTextAsync(Story.Target, 4711));
    }

    protected async Task<ArchiveSource> RecordBurstAsync(TempDirectory archive, int transactions)
    {
        await Story.Master.ExecuteAsync("FLUSH BINARY LOGS");
        var first = (await Story.Master.BinlogFilesAsync())[^1];
        await Story.Master.ExecuteAsync("DROP DATABASE IF EXISTS burst");
        await Story.Master.ExecuteAsync("CREATE DATABASE burst");
        await Story.Master.ExecuteAsync("CREATE TABLE burst.t (id INT PRIMARY KEY)");
        await using (var connection = await Story.Master.OpenAdminConnectionAsync())
        {
            for (var i = 1; i <= transactions; i++)
            {
                await using var insert = new MySqlConnector.MySqlCommand($"INSERT INTO burst.t VALUES ({i})", connection);
                await insert.ExecuteNonQueryAsync();
            }
        }

        await Story.Master.ExecuteAsync("FLUSH BINARY LOGS");
        foreach (var file in (await Story.Master.BinlogFilesAsync()).SkipWhile(f => f != first))
        {
            File.Copy(Story.Master.BinlogPath(file), Path.Combine(archive.Path, file));
        }

        return await ArchiveSource.OpenAsync(archive.Path, null, default);
    }

    private async Task PrepareMarkerAsync()
    {
        await Story.Target.ExecuteAsync("DROP DATABASE IF EXISTS marker");
        await Story.Target.ExecuteAsync("CREATE DATABASE marker");
        await Story.Target.ExecuteAsync("CREATE TABLE marker.m (id INT PRIMARY KEY)");
        await Story.Target.ExecuteAsync("INSERT INTO marker.m VALUES (1)");
    }

    private TempDirectory CopyArchive()
    {
        var copy = new TempDirectory();
        foreach (var file in Directory.GetFiles(Story.ArchiveDirectory))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        return copy;
    }

    private static async Task<List<FoundChange>> FindDeleteAsync(ArchiveSource source)
    {
        var finder = new RowChangeFinder(source);
        var found = new List<FoundChange>();
        await foreach (var change in finder.FindAsync(new ChangeQuery("clinic.patients", RowFilter.Parse("id=4711"), RowOperation.Delete), default))
        {
            found.Add(change);
        }

        return found;
    }

    protected async Task<RestoreResult> RestoreAsync(ArchiveSource source, RestoreTarget target, IReadOnlyCollection<string> skip)
    {
        var connection = Story.Target.AdminConnectionString;
        await TargetInstance.ResetAsync(connection, default);
        var restore = new PointInTimeRestore(source);
        var plan = await restore.PlanAsync(target, skip, FromArchiveStart, default);
        return await restore.ReplayAsync(plan, connection, null, default);
    }
}

public sealed class MariaDbClinicRestoreTests(MariaDbClinicStory story) : ClinicRestoreTests<MariaDbClinicStory>(story), IClassFixture<MariaDbClinicStory>;

public sealed class MySqlClinicRestoreTests(MySqlClinicStory story) : ClinicRestoreTests<MySqlClinicStory>(story), IClassFixture<MySqlClinicStory>
{
    [Fact]
    public async Task To_time_splits_transactions_committed_within_the_same_second_at_the_microsecond()
    {
        using var archive = new TempDirectory();
        var source = await RecordBurstAsync(archive, 40);
        var inserts = new List<Reading.ArchivedTransaction>();
        await foreach (var t in new Reading.TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, default))
        {
            if (t.Events.Any(e => e.Event is Binlog.Events.RowsEvent))
            {
                inserts.Add(t);
            }
        }

        // A transaction that shares its second with the one before it (40 quick commits make one certain).
        var index = inserts.FindIndex(1, t => t.CommitTime.ToUnixTimeSeconds() == inserts[inserts.IndexOf(t) - 1].CommitTime.ToUnixTimeSeconds()
            && inserts.IndexOf(t) + 1 < inserts.Count && inserts[inserts.IndexOf(t) + 1].CommitTime.ToUnixTimeSeconds() == t.CommitTime.ToUnixTimeSeconds());
        Assert.True(index > 0, "no three transactions in one second");
        var stop = inserts[index].CommitTime;
        Assert.True(inserts[index + 1].CommitTime > stop);

        var result = await RestoreAsync(source, RestoreTarget.ToTime(stop), []);

        Assert.Equal(index + 1, await Story.Target.ScalarAsync<long>("SELECT COUNT(*) FROM burst.t"));
        Assert.Equal(index + 1, await Story.Target.ScalarAsync<long>("SELECT MAX(id) FROM burst.t"));
        Assert.Equal(inserts[index].Gtid, result.LastGtid);
    }
}

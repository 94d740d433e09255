using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Tests.Apply;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Engine;

/// <summary>
/// The applier fed from the source's binlog files on disk instead of a live stream (what restore does with archived
/// segments): the target ends up equal to the source, and feeding the same files again changes nothing.
/// </summary>
public abstract class BinlogFileApplyTests(SourceAndStandbyFixture servers) : ApplierTestBase(servers)
{
    [Fact]
    public async Task Events_read_from_binlog_files_give_the_source_data_and_a_second_feed_applies_nothing()
    {
        var db = NewDatabase("bfa");
        var start = await SourcePositionAsync();
        var source = Servers.Source;
        await source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.t (id INT NOT NULL PRIMARY KEY, v VARCHAR(20), d DECIMAL(20,6), ts DATETIME(6), b VARBINARY(8)) ENGINE=InnoDB;
            CREATE TABLE {db}.loose (x INT NULL, y VARCHAR(10) NULL) ENGINE=InnoDB;
            INSERT INTO {db}.t VALUES (1, 'a', 1.5, '2024-01-01 00:00:00.000001', x'00'), (2, 'b', -2.25, NULL, NULL), (3, 'c', 0, '1999-12-31 23:59:59', x'ff01');
            INSERT INTO {db}.loose VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
            START TRANSACTION;
            UPDATE {db}.t SET v = 'changed', d = d * 2 WHERE id <= 2;
            DELETE FROM {db}.t WHERE id = 3;
            INSERT INTO {db}.t VALUES (3, 'again', 3, NULL, x'03');
            UPDATE {db}.loose SET y = 'z' WHERE x = 1 LIMIT 1;
            DELETE FROM {db}.loose WHERE x IS NULL;
            COMMIT;
            FLUSH BINARY LOGS;
            ALTER TABLE {db}.t ADD COLUMN extra INT NULL DEFAULT 5;
            INSERT INTO {db}.t (id, v, extra) VALUES (4, 'after ddl', 6);
            UPDATE {db}.t SET extra = NULL WHERE id = 1;
            """);
        var files = await BinlogFilesFromAsync(start);

        var first = await FeedAsync(db, start, files);
        Assert.True(first >= 8, $"only {first} transactions applied");
        var report = await CompareAsync(db, db);
        Assert.True(report.AtCommonPosition);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));

        var second = await FeedAsync(db, start, files);
        Assert.Equal(0, second);
        Assert.True((await CompareAsync(db, db)).IsEqual);
        Assert.Equal(1, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM replicakeeper.applied_ddl WHERE channel = '{db}' AND statement LIKE 'ALTER%'"));
    }

    private async Task<List<string>> BinlogFilesFromAsync(StandbyPosition start)
    {
        var names = await Servers.Source.BinlogFilesAsync();
        var first = start.File?.File ?? names[0];
        return names.Where(n => string.CompareOrdinal(n, first) >= 0).Select(Servers.Source.BinlogPath).ToList();
    }

    private async Task<long> FeedAsync(string channel, StandbyPosition start, IReadOnlyList<string> files)
    {
        var checkpoint = Flavor == Sql.ServerFlavor.MySql
            ? ReplicationCheckpoint.FromGtidSet(start.MySqlGtids!)
            : ReplicationCheckpoint.FromMariaDbGtids(start.MariaDbGtids!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var applier = await EventApplier.OpenAsync(
            new EventApplierOptions { TargetConnectionString = Servers.Standby.AdminConnectionString, Channel = channel, StartPosition = start },
            timeout.Token);
        await foreach (var item in BinlogFileEvents.ReadAsync(files, checkpoint, timeout.Token))
        {
            await applier.HandleAsync(item, timeout.Token);
        }

        await applier.FlushAsync(timeout.Token);
        return applier.TransactionsApplied;
    }
}

public sealed class MariaDbBinlogFileApplyTests(MariaDbSourceAndStandbyFixture servers) : BinlogFileApplyTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlBinlogFileApplyTests(MySqlSourceAndStandbyFixture servers) : BinlogFileApplyTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

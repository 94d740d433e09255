using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Compare;

public abstract class CompareTests(SourceAndStandbyFixture servers)
{
    private const string Schema = """
        CREATE DATABASE IF NOT EXISTS {0};
        CREATE TABLE {0}.items (id INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(40) NULL, price DECIMAL(20,6) NULL,
          at DATETIME(6) NULL, data VARBINARY(20) NULL, flag BIT(3) NULL) ENGINE=InnoDB;
        CREATE TABLE {0}.pairs (a INT NOT NULL, b VARCHAR(10) NOT NULL, v DOUBLE NULL, PRIMARY KEY (a, b)) ENGINE=InnoDB;
        CREATE TABLE {0}.loose (x INT NULL, y TEXT NULL) ENGINE=InnoDB;
        """;

    private static string Data(string db) => $"""
        INSERT INTO {db}.items VALUES (1, 'one', 1.5, '2024-01-02 03:04:05.123456', x'00ff', b'101'), (2, NULL, NULL, NULL, NULL, NULL),
          (3, '', 0, '1999-12-31 23:59:59', x'', b'0');
        INSERT INTO {db}.items SELECT seq, CONCAT('n', seq), seq / 7, '2020-01-01', NULL, NULL FROM (SELECT 10 + a.n * 10 + b.n AS seq FROM
          (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) a,
          (SELECT 0 n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b) s;
        INSERT INTO {db}.pairs VALUES (1, 'a', 0.1), (1, 'b', NULL), (2, 'a', -3e200);
        INSERT INTO {db}.loose VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
        """;

    private async Task<string> CreateSameDataAsync()
    {
        var db = "cmp" + Guid.NewGuid().ToString("N")[..8];
        foreach (var server in new[] { servers.Source, servers.Standby })
        {
            await server.ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Schema, db));
            await server.ExecuteAsync(Data(db));
        }

        return db;
    }

    private CompareOptions Options(string db, CompareMode mode) => new()
    {
        SourceConnectionString = servers.Source.AdminConnectionString,
        TargetConnectionString = servers.Standby.AdminConnectionString,
        Tables = [new TableName(db, "items"), new TableName(db, "pairs"), new TableName(db, "loose")],
        Mode = mode,
        ChunkSize = 7,
        WaitTimeout = TimeSpan.FromSeconds(10),
    };

    [Theory]
    [InlineData(CompareMode.Checksum)]
    [InlineData(CompareMode.Rows)]
    public async Task Equal_data_compares_equal(CompareMode mode)
    {
        var db = await CreateSameDataAsync();
        var report = await new StandbyComparer(Options(db, mode)).CompareAsync(CancellationToken.None);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        Assert.Equal(3, report.Tables.Count);
        if (mode == CompareMode.Rows)
        {
            Assert.Equal(53, report.Tables.Single(t => t.Table.Table == "items").SourceRows);
        }
    }

    [Theory]
    [InlineData(CompareMode.Checksum)]
    [InlineData(CompareMode.Rows)]
    public async Task A_row_changed_behind_our_back_is_named(CompareMode mode)
    {
        var db = await CreateSameDataAsync();
        await servers.Standby.ExecuteAsync($"UPDATE {db}.items SET at = '2024-01-02 03:04:05.123457' WHERE id = 1; DELETE FROM {db}.items WHERE id = 42;" +
            $"INSERT INTO {db}.items (id) VALUES (1000); UPDATE {db}.pairs SET v = NULL WHERE a = 2 AND b = 'a'; UPDATE {db}.loose SET y = 'z' WHERE x IS NULL");
        var report = await new StandbyComparer(Options(db, mode)).CompareAsync(CancellationToken.None);
        Assert.False(report.IsEqual);
        var items = report.Tables.Single(t => t.Table.Table == "items");
        Assert.Equal(TableStatus.RowsDiffer, items.Status);
        Assert.Equal(3, items.DifferingRows);
        Assert.Contains(new RowDifference("id=1", "differs"), items.FirstDifferences);
        Assert.Contains(new RowDifference("id=42", "missing on target"), items.FirstDifferences);
        Assert.Contains(new RowDifference("id=1000", "extra on target"), items.FirstDifferences);
        var pairs = report.Tables.Single(t => t.Table.Table == "pairs");
        Assert.Equal([new RowDifference("a=2, b='a'", "differs")], pairs.FirstDifferences);
        Assert.Equal(TableStatus.RowsDiffer, report.Tables.Single(t => t.Table.Table == "loose").Status);
    }

    [Fact]
    public async Task Missing_table_and_column_differences_are_reported()
    {
        var db = await CreateSameDataAsync();
        await servers.Standby.ExecuteAsync($"DROP TABLE {db}.pairs; ALTER TABLE {db}.loose ADD COLUMN z INT NULL");
        var report = await new StandbyComparer(Options(db, CompareMode.Checksum)).CompareAsync(CancellationToken.None);
        Assert.Equal(TableStatus.MissingOnTarget, report.Tables.Single(t => t.Table.Table == "pairs").Status);
        var loose = report.Tables.Single(t => t.Table.Table == "loose");
        Assert.Equal(TableStatus.ColumnsDiffer, loose.Status);
        Assert.Contains("z only on target", loose.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waits_for_the_standby_position_and_times_out_with_a_clear_message()
    {
        var db = await CreateSameDataAsync();
        await using (var standby = await servers.Standby.OpenAdminConnectionAsync())
        await using (var source = await servers.Source.OpenAdminConnectionAsync())
        {
            var flavor = servers.Source.Flavor == TestServers.ServerFlavor.MySql ? Sql.ServerFlavor.MySql : Sql.ServerFlavor.MariaDb;
            await PositionStore.EnsureSchemaAsync(standby, CancellationToken.None);
            var current = await SourcePositionReader.ReadCurrentAsync(source, flavor, CancellationToken.None);
            await PositionStore.WriteAsync(standby, null, new AppliedPosition(PositionStore.DefaultChannel, current, null, null, null, null, DateTime.UtcNow), CancellationToken.None);
        }

        var equal = await new StandbyComparer(Options(db, CompareMode.Checksum)).CompareAsync(CancellationToken.None);
        Assert.True(equal.AtCommonPosition);
        Assert.True(equal.IsEqual);

        await servers.Source.ExecuteAsync($"INSERT INTO {db}.items (id) VALUES (5000)");
        var error = await Assert.ThrowsAsync<CompareTimeoutException>(() =>
            new StandbyComparer(Options(db, CompareMode.Checksum) with { WaitTimeout = TimeSpan.FromMilliseconds(300) }).CompareAsync(CancellationToken.None));
        Assert.Contains("did not reach the source's position", error.Message, StringComparison.Ordinal);
        await servers.Standby.ExecuteAsync("DROP DATABASE replicakeeper");
    }
}

[Collection("compare")]
public sealed class MariaDbCompareTests(MariaDbSourceAndStandbyFixture servers) : CompareTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

[Collection("compare")]
public sealed class MySqlCompareTests(MySqlSourceAndStandbyFixture servers) : CompareTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

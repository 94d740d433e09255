using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Apply;

public abstract class CrashSafetyTests(SourceAndStandbyFixture servers) : ApplierTestBase(servers)
{
    [Fact]
    public async Task Applier_cancelled_at_random_moments_20_times_applies_every_transaction_exactly_once()
    {
        var db = NewDatabase("crs");
        var start = await SourcePositionAsync();
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db};
            CREATE TABLE {db}.counter (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB;
            INSERT INTO {db}.counter VALUES (1, 0);
            CREATE TABLE {db}.log (id INT NOT NULL PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
            CREATE TABLE {db}.bag (x INT NULL, y INT NULL) ENGINE=InnoDB;
            """);

        using var stop = new CancellationTokenSource();
        var workload = Task.Run(async () =>
        {
            await using var connection = await Servers.Source.OpenAdminConnectionAsync();
            for (var i = 1; i <= 400; i++)
            {
                var sql = $"START TRANSACTION; UPDATE {db}.counter SET n = n + 1 WHERE id = 1; INSERT INTO {db}.log (id, v) VALUES ({i}, 'v{i}'); " +
                    $"INSERT INTO {db}.bag (x, y) VALUES ({i % 5}, NULL); {(i % 4 == 0 ? $"DELETE FROM {db}.bag WHERE x = {i % 5} LIMIT 1; " : "")}COMMIT;";
                if (i == 150)
                {
                    sql += $" ALTER TABLE {db}.log ADD COLUMN w INT NULL DEFAULT 7;";
                }

                if (i == 300)
                {
                    sql += $" ALTER TABLE {db}.bag ADD COLUMN z INT NULL; CREATE TABLE {db}.late (id INT PRIMARY KEY) ENGINE=InnoDB;";
                }

                await using var command = new MySqlConnector.MySqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                await Task.Delay(Random.Shared.Next(0, 3));
            }
        });

        var options = Options(db, start, stopAtEnd: false);
        var cancellations = 0;
        while (cancellations < 20 || !workload.IsCompleted)
        {
            using var kill = new CancellationTokenSource(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 400)));
            try
            {
                await new StandbyApplier(options).RunAsync(kill.Token);
            }
            catch (Exception) when (kill.IsCancellationRequested)
            {
                // killed mid-way: whatever transaction was open on the standby is rolled back by the server
            }

            cancellations++;
        }

        await workload;
        await CatchUpAsync(options);
        var report = await CompareAsync(db, db);
        Assert.True(report.IsEqual, string.Join("\n", report.Differences));
        Assert.Equal(400, await Servers.Standby.ScalarAsync<long>($"SELECT n FROM {db}.counter"));
        Assert.Equal(2, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM replicakeeper.applied_ddl WHERE channel = '{db}' AND statement LIKE 'ALTER%'"));
        Assert.True(cancellations >= 20);
    }
}

public sealed class MariaDbCrashSafetyTests(MariaDbSourceAndStandbyFixture servers) : CrashSafetyTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlCrashSafetyTests(MySqlSourceAndStandbyFixture servers) : CrashSafetyTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

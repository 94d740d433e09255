using System.Diagnostics;
using ReplicaKeeper.Standby.Tests.Seeding;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Standby.Tests.Kill;

/// <summary>
/// The real CLI end to end: <c>standby init</c> seeds the standby, then <c>standby</c> processes are killed with
/// SIGKILL at random moments at least 20 times while the source runs a workload (multi-row and large transactions,
/// DDL). Every transaction increments one counter row and inserts one uniquely keyed audit row, so a transaction
/// applied twice shows in the counter (or stops the applier on the audit key) and one lost shows in both.
/// </summary>
public abstract class ApplierKillTests(SourceAndStandbyFixture servers, ITestOutputHelper output) : SeedingTestBase(servers)
{
    [Fact]
    public async Task Applier_process_killed_with_sigkill_20_times_during_a_workload_applies_every_transaction_exactly_once()
    {
        var db = NewDatabase("kl");
        await Servers.Source.ExecuteAsync($"""
            CREATE DATABASE {db}; {CounterTables(db)}
            CREATE TABLE {db}.items (id INT NOT NULL PRIMARY KEY, v VARCHAR(40), d DECIMAL(12,2)) ENGINE=InnoDB;
            INSERT INTO {db}.items (id, v, d) VALUES (1, 'one', 1.5), (2, 'two', 2.5);
            """);
        string[] connections = ["--source", Servers.Source.AdminConnectionString, "--target", Servers.Standby.AdminConnectionString, "--channel", db];

        using var init = await ReplicaKeeperCli.RunAsync(TimeSpan.FromSeconds(60), ["standby", "init", .. connections, "--schemas", db]);
        Assert.True(init.Process.ExitCode == 0, $"standby init exited {init.Process.ExitCode}: {init.Error}");
        Assert.Contains("Seeded 3 table(s), 3 rows", init.Output, StringComparison.Ordinal);
        using (var again = await ReplicaKeeperCli.RunAsync(TimeSpan.FromSeconds(60), ["standby", "init", .. connections, "--schemas", db]))
        {
            Assert.Equal(3, again.Process.ExitCode);
            Assert.Contains($"schema `{db}` (3 tables)", again.Error, StringComparison.Ordinal);
        }

        using var stop = new CancellationTokenSource();
        var workload = Task.Run(() => WorkloadAsync(db, stop.Token));
        var clock = Stopwatch.StartNew();
        var kills = 0;
        var killsAfterProgress = 0;
        var applied = 0L;
        try
        {
            while (kills < 20 && clock.Elapsed < TimeSpan.FromSeconds(240))
            {
                using var applier = ReplicaKeeperCli.Start(["standby", .. connections]);
                var run = Stopwatch.StartNew();
                // a process start can take seconds on a loaded machine: wait until this run applies something (every
                // other run: or a random 0.3 .. 3 s, so kills while it starts up or catches up happen too), then kill it
                // at a random moment
                var patience = kills % 2 == 0 ? TimeSpan.FromSeconds(20) : TimeSpan.FromMilliseconds(Random.Shared.Next(300, 3000));
                while (run.Elapsed < patience && await AppliedAsync(db) <= applied)
                {
                    await Task.Delay(20);
                }

                await Task.Delay(Random.Shared.Next(0, 400));
                Assert.False(applier.Process.HasExited, $"the applier stopped on its own (exit {(applier.Process.HasExited ? applier.Process.ExitCode : 0)}): {applier.Error}");
                await applier.KillAsync();
                kills++;
                var now = await AppliedAsync(db);
                killsAfterProgress += now > applied ? 1 : 0;
                output.WriteLine($"kill {kills} after {run.ElapsedMilliseconds} ms: {now - applied} transactions applied");
                applied = now;
            }
        }
        finally
        {
            await stop.CancelAsync();
        }

        var committed = await workload;
        output.WriteLine($"{committed} transactions, {kills} kills in {clock.Elapsed}");
        Assert.True(kills >= 20, $"only {kills} kills in {clock.Elapsed}");
        // the kills hit a working applier, not processes still starting up
        Assert.True(killsAfterProgress >= 5, $"only {killsAfterProgress} of {kills} applier runs applied anything");
        using var final = await ReplicaKeeperCli.RunAsync(TimeSpan.FromSeconds(60), ["standby", .. connections, "--stop-at-end"]);
        Assert.True(final.Process.ExitCode == 0, $"the final applier run exited {final.Process.ExitCode}: {final.Error}");

        await AssertEqualAsync(db, db);
        await AssertEveryTransactionOnceAsync(db, committed);
        Assert.Equal(2, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM replicakeeper.applied_ddl WHERE channel = '{db}' AND statement LIKE 'ALTER%'"));
    }

    private Task<long> AppliedAsync(string db) => Servers.Standby.ScalarAsync<long>($"SELECT n FROM {db}.counter WHERE id = 1");

    /// <summary>
    /// Counted transactions until stopped; every 25th also writes 300 rows in one statement; transactions 50 and 150
    /// are followed by DDL. Returns the number committed.
    /// </summary>
    private async Task<int> WorkloadAsync(string db, CancellationToken stop)
    {
        await using var connection = await Servers.Source.OpenAdminConnectionAsync(CancellationToken.None);
        var tx = 0;
        while (!stop.IsCancellationRequested)
        {
            tx++;
            var sql = $"START TRANSACTION; UPDATE {db}.counter SET n = n + 1 WHERE id = 1; INSERT INTO {db}.audit (tx, at, note) VALUES ({tx}, NOW(6), 'tx {tx}'); " +
                $"UPDATE {db}.items SET d = d + 1, v = 'tx {tx}' WHERE id = {1 + (tx % 2)}; ";
            if (tx % 25 == 0)
            {
                sql += $"INSERT INTO {db}.items (id, v, d) SELECT {tx} * 1000 + seq, REPEAT('x', 30), seq / 8 FROM " +
                    $"(SELECT a.n + 10 * b.n + 100 * c.n AS seq FROM {Digits('a')}, {Digits('b')}, (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2) c) s; ";
            }

            sql += "COMMIT;";
            if (tx == 50)
            {
                sql += $" ALTER TABLE {db}.items ADD COLUMN w INT NULL DEFAULT 7;";
            }

            if (tx == 150)
            {
                sql += $" ALTER TABLE {db}.audit ADD COLUMN z VARCHAR(8) NULL; CREATE TABLE {db}.late (id INT PRIMARY KEY) ENGINE=InnoDB;";
            }

            await using var command = new MySqlConnector.MySqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            await Task.Delay(Random.Shared.Next(0, 40), CancellationToken.None);
        }

        Assert.True(tx > 150, $"only {tx} transactions: the DDL did not run");
        return tx;
    }

    private static string Digits(char alias) =>
        $"(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) {alias}";
}

public sealed class MariaDbApplierKillTests(MariaDbSourceAndStandbyFixture servers, ITestOutputHelper output)
    : ApplierKillTests(servers, output), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlApplierKillTests(MySqlSourceAndStandbyFixture servers, ITestOutputHelper output)
    : ApplierKillTests(servers, output), IClassFixture<MySqlSourceAndStandbyFixture>;

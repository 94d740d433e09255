using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Seeding;

/// <summary>Seed options, a catch-up run of the applier, a compare of one database, and a workload of counted transactions.</summary>
public abstract class SeedingTestBase(SourceAndStandbyFixture servers)
{
    protected SourceAndStandbyFixture Servers { get; } = servers;

    protected bool IsMySql => Servers.Source.Flavor == TestServers.ServerFlavor.MySql;

    protected static string NewDatabase(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    protected StandbySeedOptions SeedOptions(string database) => new()
    {
        SourceConnectionString = Servers.Source.AdminConnectionString,
        TargetConnectionString = Servers.Standby.AdminConnectionString,
        Schemas = [database],
        Channel = database,
    };

    /// <summary>Runs the applier of <paramref name="channel"/> (no start position: it must resume from the seed's) to the source's end.</summary>
    protected async Task<long> ApplyToEndAsync(string channel)
    {
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = Servers.Source.AdminConnectionString,
            TargetConnectionString = Servers.Standby.AdminConnectionString,
            Channel = channel,
            StopAtEnd = true,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await applier.RunAsync(timeout.Token);
        return applier.TransactionsApplied;
    }

    protected async Task AssertEqualAsync(string database, string channel)
    {
        foreach (var mode in new[] { CompareMode.Rows, CompareMode.Checksum })
        {
            var report = await new StandbyComparer(new CompareOptions
            {
                SourceConnectionString = Servers.Source.AdminConnectionString,
                TargetConnectionString = Servers.Standby.AdminConnectionString,
                Tables = [.. (await TablesAsync(Servers.Source, database)).Select(t => new Schema.TableName(database, t))],
                Mode = mode,
                Channel = channel,
                ChunkSize = 100,
                WaitTimeout = TimeSpan.FromSeconds(30),
            }).CompareAsync(CancellationToken.None);
            Assert.True(report.AtCommonPosition);
            Assert.True(report.IsEqual, $"{mode}: " + string.Join("\n", report.Differences));
        }
    }

    protected static async Task<IReadOnlyList<string>> TablesAsync(TestServer server, string database)
    {
        await using var connection = await server.OpenAdminConnectionAsync();
        await using var command = new MySqlConnector.MySqlCommand("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = @db AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", connection);
        command.Parameters.AddWithValue("@db", database);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    /// <summary>
    /// <c>counter</c> (one row, +1 per transaction) and <c>audit</c> (one uniquely keyed row per transaction): a
    /// transaction applied twice fails on the audit key or shows in the counter.
    /// </summary>
    protected static string CounterTables(string db) => $"""
        CREATE TABLE {db}.counter (id INT NOT NULL PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB;
        INSERT INTO {db}.counter VALUES (1, 0);
        CREATE TABLE {db}.audit (tx INT NOT NULL PRIMARY KEY, at DATETIME(6) NOT NULL, note VARCHAR(40)) ENGINE=InnoDB;
        """;

    /// <summary>
    /// Counted transactions on <paramref name="connections"/> connections until <paramref name="stop"/> (or
    /// <paramref name="limit"/> transactions); each also changes <c>{db}.items</c> when <paramref name="items"/> is set.
    /// Returns the number committed.
    /// </summary>
    protected async Task<int> CountedWorkloadAsync(string db, int connections, int limit, bool items, CancellationToken stop, int maxDelayMs = 3)
    {
        var next = 0;
        var committed = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            await using var connection = await Servers.Source.OpenAdminConnectionAsync();
            while (!stop.IsCancellationRequested)
            {
                var tx = Interlocked.Increment(ref next);
                if (tx > limit)
                {
                    return;
                }

                var sql = $"START TRANSACTION; UPDATE {db}.counter SET n = n + 1 WHERE id = 1; INSERT INTO {db}.audit VALUES ({tx}, NOW(6), 'tx {tx}'); ";
                if (items)
                {
                    sql += $"INSERT INTO {db}.items (id, v, d) VALUES ({100_000 + tx}, 'new {tx}', {tx}.25) ON DUPLICATE KEY UPDATE v = 'again'; " +
                        $"UPDATE {db}.items SET v = CONCAT('u', {tx}), d = d + 1 WHERE id = {(tx * 7919) % 3000}; " +
                        $"DELETE FROM {db}.items WHERE id = {(tx * 104_729) % 3000}; ";
                }

                await using var command = new MySqlConnector.MySqlCommand(sql + "COMMIT", connection);
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                Interlocked.Increment(ref committed);
                if (maxDelayMs > 0)
                {
                    await Task.Delay(Random.Shared.Next(0, maxDelayMs + 1), CancellationToken.None);
                }
            }
        }));
        return committed;
    }

    protected async Task AssertEveryTransactionOnceAsync(string db, int committed)
    {
        Assert.Equal(committed, await Servers.Standby.ScalarAsync<long>($"SELECT n FROM {db}.counter WHERE id = 1"));
        Assert.Equal(committed, await Servers.Standby.ScalarAsync<long>($"SELECT COUNT(*) FROM {db}.audit"));
    }
}

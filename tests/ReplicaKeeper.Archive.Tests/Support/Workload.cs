using System.Globalization;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Archive.Tests.Support;

/// <summary>A mixed workload: DDL, single- and multi-statement transactions, updates, deletes, a large row, rotations.</summary>
internal static class Workload
{
    public static async Task RunAsync(TestServer server, int rotations, CancellationToken ct, string schema = "arch")
    {
        await server.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {schema}", ct);
        await server.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {schema}.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(200), n INT, b LONGBLOB) ENGINE=InnoDB", ct);
        for (var round = 0; round <= rotations; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                await server.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"INSERT INTO {schema}.t (v, n) VALUES ('r{round}-{i}', {i})"), ct);
            }

            await server.ExecuteAsync($"BEGIN; UPDATE {schema}.t SET n = n + 1 WHERE id % 3 = 0; DELETE FROM {schema}.t WHERE id % 7 = 0; INSERT INTO {schema}.t (v, n, b) VALUES ('big', 1, REPEAT('x', 100000)); COMMIT", ct);
            await server.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"CREATE TABLE IF NOT EXISTS {schema}.d{round} (x INT)"), ct);
            if (round < rotations)
            {
                await server.ExecuteAsync("FLUSH BINARY LOGS", ct);
            }
        }
    }
}

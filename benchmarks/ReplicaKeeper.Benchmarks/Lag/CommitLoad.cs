using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Benchmarks.Lag;

/// <summary>
/// Small autocommit transactions from several connections, paced to a target rate. Each records,
/// client side, the moment its COMMIT returned (Stopwatch ticks) under its GTID: MariaDB reports
/// it in <c>@@last_gtid</c>; on MySQL each transaction brings its own (<c>SET gtid_next</c>).
/// </summary>
public sealed class CommitLoad(TestServer server, LagOptions options)
{
    /// <summary>Source id of the GTIDs the MySQL workload assigns itself.</summary>
    private static readonly Guid MySqlSourceId = Guid.Parse("1a9f3c55-0000-4000-8000-00000000a1a9");

    public ConcurrentDictionary<string, long> Commits { get; } = new(StringComparer.Ordinal);

    public static async Task PrepareAsync(TestServer server, LagOptions options, CancellationToken ct)
    {
        await server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS archlag; CREATE TABLE IF NOT EXISTS archlag.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, w INT NOT NULL, n INT NOT NULL, note VARCHAR(40))", ct);
        if (!options.DurableMaster)
        {
            await server.ExecuteAsync("SET GLOBAL sync_binlog = 0; SET GLOBAL innodb_flush_log_at_trx_commit = 2", ct);
        }
    }

    /// <summary>Runs the workload; returns the commits and the elapsed time.</summary>
    public async Task<(int Count, TimeSpan Elapsed)> RunAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var perConnection = options.Rate == 0 ? 0 : (double)options.Rate / options.Connections;
        var counts = await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(w => WorkerAsync(w, perConnection, clock, ct)));
        return (counts.Sum(), clock.Elapsed);
    }

    private async Task<int> WorkerAsync(int worker, double rate, Stopwatch clock, CancellationToken ct)
    {
        await using var connection = await server.OpenAdminConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        var mariaDb = server.Flavor == ServerFlavor.MariaDb;
        var n = 0;
        while (clock.Elapsed < options.Duration)
        {
            if (rate > 0)
            {
                // open-loop pacing: transaction n is due at n / rate; when behind, go at once
                var due = TimeSpan.FromSeconds(n / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, ct);
                }
            }

            n++;
            var values = string.Create(CultureInfo.InvariantCulture, $"({worker}, {n}, 'small transaction')");
            string gtid;
            if (mariaDb)
            {
                command.CommandText = "INSERT INTO archlag.t (w, n, note) VALUES " + values + "; SELECT @@last_gtid";
                await using var reader = await command.ExecuteReaderAsync(ct);
                var committed = Stopwatch.GetTimestamp();
                do
                {
                    if (reader.FieldCount > 0 && await reader.ReadAsync(ct))
                    {
                        break;
                    }
                }
                while (await reader.NextResultAsync(ct));

                gtid = reader.GetString(0);
                Commits[gtid] = committed;
            }
            else
            {
                gtid = string.Create(CultureInfo.InvariantCulture, $"{MySqlSourceId}:{(worker + 1) * 100_000_000L + n}");
                command.CommandText = $"SET gtid_next = '{gtid}'; INSERT INTO archlag.t (w, n, note) VALUES {values}";
                await command.ExecuteNonQueryAsync(ct);
                Commits[gtid] = Stopwatch.GetTimestamp();
            }
        }

        if (!mariaDb)
        {
            command.CommandText = "SET gtid_next = 'AUTOMATIC'";
            await command.ExecuteNonQueryAsync(ct);
        }

        return n;
    }
}

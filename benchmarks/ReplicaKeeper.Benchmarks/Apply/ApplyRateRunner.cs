using System.Diagnostics;
using System.Globalization;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using StandbyFlavor = ReplicaKeeper.Standby.Sql.ServerFlavor;

namespace ReplicaKeeper.Benchmarks.Apply;

/// <summary>
/// Apply rate of our applier against the server's own replica, same flavour, same workload, one run (issue 7):
/// a master and two empty replicas on loopback; the workload (<see cref="ApplyWorkload"/>) is written to the master
/// while neither replica runs; then (a) the native replica (MariaDB: CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos,
/// slave_parallel_threads=0; MySQL: CHANGE REPLICATION SOURCE TO ... SOURCE_AUTO_POSITION=1,
/// replica_parallel_workers=1) is started and timed until MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET says it has
/// everything, and (b) our <see cref="StandbyApplier"/> is timed catching up the other replica from the same start
/// (once per group-commit size, the replica reset in between). Both replicas run with the same server settings
/// (binlog on, the flavour's default durability). Each result is checked with CHECKSUM TABLE against the master.
/// Run through benchmarks/apply-rate.sh.
/// </summary>
public static class ApplyRateRunner
{
    private static readonly string[] Tables = [ApplyWorkload.Database + ".account", ApplyWorkload.Database + ".event"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        ApplyRateOptions options;
        try
        {
            options = ApplyRateOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(60));
        var allEqual = true;
        foreach (var flavor in options.Flavors)
        {
            allEqual &= await MeasureAsync(flavor, options, cts.Token);
        }

        return allEqual ? 0 : 1;
    }

    private static async Task<bool> MeasureAsync(ServerFlavor flavor, ApplyRateOptions options, CancellationToken ct)
    {
        var serverOptions = flavor == ServerFlavor.MariaDb ? TestServerOptions.MariaDb : TestServerOptions.MySql;
        var standbyFlavor = flavor == ServerFlavor.MariaDb ? StandbyFlavor.MariaDb : StandbyFlavor.MySql;
        Console.WriteLine($"{flavor}: starting master, native replica and our target on loopback...");
        var starting = new[] { serverOptions, serverOptions with { Standby = true }, serverOptions with { Standby = true } }
            .Select(o => TestServer.StartAsync(o, ct)).ToList();
        await Task.WhenAll(starting);
        await using var master = await starting[0];
        await using var native = await starting[1];
        await using var target = await starting[2];

        var start = await PositionAsync(master, standbyFlavor, ct);
        await ConfigureNativeReplicaAsync(native, master, start, ct);

        Console.WriteLine($"{flavor}: writing {options.Rows:N0} row changes from {options.Connections} connections (replicas stopped)...");
        await master.ExecuteAsync(ApplyWorkload.Schema, ct);
        var clock = Stopwatch.StartNew();
        await ApplyWorkload.RunAsync(master, options.Rows, options.Connections, ct);
        var written = clock.Elapsed;
        var end = await PositionAsync(master, standbyFlavor, ct);
        var transactions = TransactionsBetween(start, end);
        var masterChecksum = await ChecksumAsync(master, ct);
        Console.WriteLine(Invariant($"{flavor}: master wrote {transactions:N0} transactions in {written.TotalSeconds:F1} s ({transactions / written.TotalSeconds:N0}/s)"));

        var results = new List<(string Name, TimeSpan Time, bool Equal)>();
        clock.Restart();
        await StartNativeReplicaAsync(native, ct);
        await WaitNativeAsync(native, end, ct);
        var nativeTime = clock.Elapsed;
        results.Add(("native replica (1 applier thread)", nativeTime, await ChecksumAsync(native, ct) == masterChecksum));

        foreach (var (group, batched) in options.GroupSizes.SelectMany(g => options.Batched.Select(b => (g, b))))
        {
            await ResetTargetAsync(target, flavor, ct);
            var applier = new StandbyApplier(new StandbyOptions
            {
                SourceConnectionString = master.AdminConnectionString,
                TargetConnectionString = target.AdminConnectionString,
                StartPosition = start,
                StopAtEnd = true,
                MaxTransactionsPerCommit = group,
                BatchStatements = batched,
            });
            clock.Restart();
            await applier.RunAsync(ct);
            var time = clock.Elapsed;
            results.Add(($"EventApplier (group commit {group}, {(batched ? "batched" : "prepared")})", time, await ChecksumAsync(target, ct) == masterChecksum));
        }

        Console.WriteLine();
        Console.WriteLine($"| {flavor} | transactions | seconds | transactions/s | vs native | data equal |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var (name, time, equal) in results)
        {
            Console.WriteLine(Invariant(
                $"| {name} | {transactions:N0} | {time.TotalSeconds:F2} | {transactions / time.TotalSeconds:N0} | {nativeTime.TotalSeconds / time.TotalSeconds:F2}x | {(equal ? "yes" : "NO")} |"));
        }

        Console.WriteLine();
        return results.All(r => r.Equal);
    }

    private static async Task<StandbyPosition> PositionAsync(TestServer server, StandbyFlavor flavor, CancellationToken ct)
    {
        await using var connection = await server.OpenAdminConnectionAsync(ct);
        return await SourcePositionReader.ReadCurrentAsync(connection, flavor, ct);
    }

    private static long TransactionsBetween(StandbyPosition start, StandbyPosition end)
    {
        if (end.MySqlGtids is { } after)
        {
            return (long)(after.Count - (start.MySqlGtids?.Count ?? 0));
        }

        var before = start.MariaDbGtids!;
        return end.MariaDbGtids!.Gtids.Sum(g => (long)(g.Sequence - (before.TryGet(g.DomainId, out var b) ? b.Sequence : 0)));
    }

    private static async Task ConfigureNativeReplicaAsync(TestServer replica, TestServer master, StandbyPosition start, CancellationToken ct)
    {
        if (replica.Flavor == ServerFlavor.MariaDb)
        {
            await replica.ExecuteAsync(Invariant($"""
                SET GLOBAL slave_parallel_threads = 0;
                SET GLOBAL gtid_slave_pos = '{start.MariaDbGtids}';
                CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {master.Port}, MASTER_USER = '{master.ReplicationUser}',
                  MASTER_PASSWORD = '{master.ReplicationPassword}', MASTER_USE_GTID = slave_pos;
                """), ct);
            return;
        }

        var purged = start.MySqlGtids is { IsEmpty: false } set ? $"SET GLOBAL gtid_purged = '+{set}';" : "";
        await replica.ExecuteAsync(Invariant($"""
            SET GLOBAL replica_parallel_workers = 1;
            {purged}
            CHANGE REPLICATION SOURCE TO SOURCE_HOST = '127.0.0.1', SOURCE_PORT = {master.Port}, SOURCE_USER = '{master.ReplicationUser}',
              SOURCE_PASSWORD = '{master.ReplicationPassword}', SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1;
            """), ct);
    }

    private static Task StartNativeReplicaAsync(TestServer replica, CancellationToken ct) =>
        replica.ExecuteAsync(replica.Flavor == ServerFlavor.MariaDb ? "START SLAVE" : "START REPLICA", ct);

    private static async Task WaitNativeAsync(TestServer replica, StandbyPosition end, CancellationToken ct)
    {
        var sql = replica.Flavor == ServerFlavor.MariaDb
            ? $"SELECT MASTER_GTID_WAIT('{end.MariaDbGtids}', 3600)"
            : $"SELECT WAIT_FOR_EXECUTED_GTID_SET('{end.MySqlGtids}', 3600)";
        var result = await replica.ScalarAsync<long>(sql, ct);
        if (result != 0)
        {
            throw new InvalidOperationException($"The native replica did not catch up ({sql} returned {result}).");
        }
    }

    /// <summary>Empties our target between runs: the data, our position tables and its own binlog/GTID state.</summary>
    private static Task ResetTargetAsync(TestServer target, ServerFlavor flavor, CancellationToken ct) =>
        target.ExecuteAsync($"""
            DROP DATABASE IF EXISTS {ApplyWorkload.Database};
            DROP DATABASE IF EXISTS replicakeeper;
            {(flavor == ServerFlavor.MariaDb ? "RESET MASTER" : "RESET BINARY LOGS AND GTIDS")};
            """, ct);

    private static async Task<string> ChecksumAsync(TestServer server, CancellationToken ct)
    {
        var sums = new List<string>();
        foreach (var table in Tables)
        {
            await using var connection = await server.OpenAdminConnectionAsync(ct);
            await using var command = new MySqlConnector.MySqlCommand($"CHECKSUM TABLE {table}", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                sums.Add(table + "=" + (reader.IsDBNull(1) ? "missing" : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)));
            }
        }

        return string.Join(", ", sums);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

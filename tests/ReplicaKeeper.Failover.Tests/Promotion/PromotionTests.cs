using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Failover.Fencing;
using ReplicaKeeper.Failover.Gates;
using ReplicaKeeper.Failover.Reporting;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Sql;
using ServerFlavor = ReplicaKeeper.Standby.Sql.ServerFlavor;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Failover.Tests.Promotion;

/// <summary>
/// Promotion against real servers. The standby's data and <c>replicakeeper.applied_position</c> are written the way the
/// applier writes them (each copied source transaction together with the position row, through PositionStore), and
/// the archive is the real live archiver's.
/// </summary>
public abstract class PromotionTests(FailoverFixture fixture, ITestOutputHelper output)
{
    private TestServer Master => fixture.Master;

    private TestServer Standby => fixture.Standby;

    private ServerFlavor Flavor => Master.Flavor == TestServers.ServerFlavor.MySql ? ServerFlavor.MySql : ServerFlavor.MariaDb;

    [Fact]
    public async Task Master_killed_then_promote_makes_the_standby_writable_within_5_seconds_and_the_restarted_master_is_fenced()
    {
        await PrepareAsync("killed");
        var marker = Path.Combine(fixture.ArchiveDirectory, "..", "rk-fence-" + Guid.NewGuid().ToString("N")[..8]);

        await Master.KillAsync();
        var death = Stopwatch.StartNew();
        var report = await new Promoter(Options() with { Probes = 3, ProbeInterval = TimeSpan.FromMilliseconds(300), FenceCommand = $"echo \"$RK_MASTER_HOST:$RK_MASTER_PORT\" > '{marker}'" }).RunAsync(CancellationToken.None);
        var promotedAfter = death.Elapsed;
        output.WriteLine(PromotionReportWriter.ToMarkdown(report));
        output.WriteLine($"{Master.Flavor}: master death -> writable standby: {promotedAfter.TotalMilliseconds:0} ms");

        Assert.Equal(PromotionOutcome.Promoted, report.Outcome);
        Assert.True(promotedAfter < TimeSpan.FromSeconds(5), $"promotion took {promotedAfter}");
        Assert.Equal(FenceMethod.Command, report.Fence!.Method);
        Assert.Equal($"{Master.Host}:{Master.Port}", (await File.ReadAllTextAsync(marker)).Trim());
        File.Delete(marker);
        await using (var app = new MySqlConnection(FailoverFixture.AppConnectionString(Standby)))
        {
            await app.OpenAsync();
            await using var insert = new MySqlCommand("INSERT INTO fo.killed VALUES (100, 'after failover')", app);
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        Assert.Equal(4L, await Standby.ScalarAsync<long>("SELECT COUNT(*) FROM fo.killed"));
        Assert.NotNull(report.NewMaster?.BinlogFile);

        // the old master comes back: it must not take writes once fenced (promote's fencing step against it)
        await Master.StartAgainAsync();
        var fence = await Fencer.SetReadOnlyAsync(Master.AdminConnectionString, killConnections: true, CancellationToken.None);
        Assert.True(fence.Succeeded, fence.Detail);
        await AssertReadOnlyForAppAsync(Master);
    }

    [Fact]
    public async Task Force_with_a_reachable_master_fences_it_read_only_and_promotes_the_standby()
    {
        await PrepareAsync("forced");
        var report = await new Promoter(Options() with { Force = true, KillMasterConnections = true }).RunAsync(CancellationToken.None);
        output.WriteLine(PromotionReportWriter.ToMarkdown(report));

        Assert.Equal(PromotionOutcome.Promoted, report.Outcome);
        Assert.Equal(FenceMethod.ReadOnly, report.Fence!.Method);
        Assert.Contains(report.Gates, g => g.Name == GateResult.CaughtUpWithFencedMaster && g.Passed);
        await AssertReadOnlyForAppAsync(Master);
        Assert.Equal("0", (await Standby.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
        await Standby.ExecuteAsync("INSERT INTO fo.forced VALUES (100, 'new master')");
    }

    [Fact]
    public async Task Promotion_is_refused_while_the_standby_lags_behind_the_archive()
    {
        await PrepareAsync("lagging");
        await Master.ExecuteAsync("INSERT INTO fo.lagging VALUES (10, 'not applied yet')");
        await WaitForArchiveAsync();

        var report = await new Promoter(Options() with { Force = true }).RunAsync(CancellationToken.None);
        output.WriteLine(PromotionReportWriter.ToMarkdown(report));

        Assert.Equal(PromotionOutcome.Refused, report.Outcome);
        Assert.Equal(3, report.ExitCode);
        var gate = Assert.Single(report.Gates, g => g.Name == GateResult.StandbyCaughtUp);
        Assert.False(gate.Passed);
        Assert.Contains("lags", gate.Detail, StringComparison.Ordinal);
        Assert.Null(report.Fence);
        Assert.Equal("0", (await Master.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
        Assert.Equal("1", (await Standby.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
    }

    [Fact]
    public async Task Promotion_is_refused_when_the_standby_has_an_errant_transaction()
    {
        await PrepareAsync("errant", errantWrite: "INSERT INTO fo.errant VALUES (77, 'written on the standby')");

        var report = await new Promoter(Options() with { Force = true }).RunAsync(CancellationToken.None);
        output.WriteLine(PromotionReportWriter.ToMarkdown(report));

        Assert.Equal(PromotionOutcome.Refused, report.Outcome);
        Assert.True(Assert.Single(report.Gates, g => g.Name == GateResult.StandbyCaughtUp).Passed);
        var gate = Assert.Single(report.Gates, g => g.Name == GateResult.NoErrantTransactions);
        Assert.False(gate.Passed);
        Assert.Contains("not written by the applier", gate.Detail, StringComparison.Ordinal);
        Assert.Equal("0", (await Master.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
    }

    [Fact]
    public async Task Dry_run_reports_the_gates_and_changes_nothing()
    {
        await PrepareAsync("dryrun");
        var reportPath = Path.Combine(fixture.ArchiveDirectory, "..", "rk-report-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var report = await new Promoter(Options() with { Force = true, DryRun = true, ReportPath = reportPath }).RunAsync(CancellationToken.None);

        Assert.Equal(PromotionOutcome.DryRunPassed, report.Outcome);
        Assert.All(report.Gates, g => Assert.True(g.Passed, g.Detail));
        Assert.Equal("0", (await Master.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
        Assert.Equal("1", (await Standby.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
    }

    private PromotionOptions Options() => new()
    {
        StandbyConnectionString = Standby.AdminConnectionString,
        MasterConnectionString = Master.AdminConnectionString,
        ArchiveDirectory = fixture.ArchiveDirectory,
    };

    /// <summary>
    /// Master: a fresh table with three rows. Standby: a clean binlog, the same table, and the rows copied in one
    /// transaction that also records the master's position (as the applier does); then read-only.
    /// </summary>
    private async Task PrepareAsync(string table, string? errantWrite = null)
    {
        await EnsureMasterRunningAsync();
        await Master.ExecuteAsync(Flavor == ServerFlavor.MySql ? "SET GLOBAL super_read_only = OFF" : "SET GLOBAL read_only = OFF");
        await Master.ExecuteAsync("SET GLOBAL read_only = OFF");
        await Master.ExecuteAsync("CREATE DATABASE IF NOT EXISTS fo");
        await Master.ExecuteAsync($"DROP TABLE IF EXISTS fo.{table}");
        await Master.ExecuteAsync($"CREATE TABLE fo.{table} (id INT PRIMARY KEY, v VARCHAR(40))");
        await Master.ExecuteAsync($"INSERT INTO fo.{table} VALUES (1, 'a'), (2, 'b'), (3, 'c')");

        if (Flavor == ServerFlavor.MySql)
        {
            await Standby.ExecuteAsync("SET GLOBAL super_read_only = OFF");
        }

        await Standby.ExecuteAsync("SET GLOBAL read_only = OFF");
        await Standby.ExecuteAsync("DROP DATABASE IF EXISTS fo");
        await Standby.ExecuteAsync("DROP DATABASE IF EXISTS replicakeeper");
        await Standby.ExecuteAsync(Flavor == ServerFlavor.MySql ? "RESET BINARY LOGS AND GTIDS" : "RESET MASTER");
        await Standby.ExecuteAsync("CREATE DATABASE fo");
        await Standby.ExecuteAsync($"CREATE TABLE fo.{table} (id INT PRIMARY KEY, v VARCHAR(40))");

        var position = await WaitForArchiveAsync();
        await using (var standby = new MySqlConnection(StandbyConnections.Normalize(Standby.AdminConnectionString)))
        {
            await standby.OpenAsync();
            await PositionStore.EnsureSchemaAsync(standby, CancellationToken.None);
            await using var transaction = await standby.BeginTransactionAsync();
            await using (var copy = new MySqlCommand($"INSERT INTO fo.{table} VALUES (1, 'a'), (2, 'b'), (3, 'c')", standby, transaction))
            {
                await copy.ExecuteNonQueryAsync();
            }

            await PositionStore.WriteAsync(standby, transaction, new AppliedPosition(PositionStore.DefaultChannel, position, "test copy", null, null, null, DateTime.UtcNow), CancellationToken.None);
            await transaction.CommitAsync();
        }

        if (errantWrite is not null)
        {
            await Standby.ExecuteAsync(errantWrite);
        }

        await Standby.ExecuteAsync(Flavor == ServerFlavor.MySql ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON");
    }

    private async Task EnsureMasterRunningAsync()
    {
        try
        {
            await Master.ScalarAsync<object>("SELECT 1");
        }
        catch (Exception e) when (e is MySqlException or InvalidOperationException)
        {
            await Master.StartAgainAsync();
        }
    }

    /// <summary>Waits until the archive's durable position covers the master's current position; returns the latter.</summary>
    private async Task<StandbyPosition> WaitForArchiveAsync()
    {
        StandbyPosition master;
        await using (var connection = new MySqlConnection(StandbyConnections.Normalize(Master.AdminConnectionString)))
        {
            await connection.OpenAsync();
            master = await SourcePositionReader.ReadCurrentAsync(connection, Flavor, CancellationToken.None);
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (fixture.ArchiverTask.IsFaulted)
            {
                await fixture.ArchiverTask;
            }

            var durable = (await ArchiveStatus.ReadAsync(new ArchiveLayout(fixture.ArchiveDirectory), CancellationToken.None)).Durable;
            if (durable is not null && PromotionGates.ToStandbyPosition(durable).Covers(master))
            {
                return master;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the archive did not reach {master} (durable: {durable})");
            }

            await Task.Delay(50);
        }
    }

    private static async Task AssertReadOnlyForAppAsync(TestServer server)
    {
        Assert.Equal("1", (await server.ScalarAsync<object>("SELECT @@GLOBAL.read_only"))?.ToString());
        await using var app = new MySqlConnection(FailoverFixture.AppConnectionString(server));
        await app.OpenAsync();
        var error = await Assert.ThrowsAsync<MySqlException>(() => new MySqlCommand("CREATE TABLE IF NOT EXISTS fo.fence_probe (id INT)", app).ExecuteNonQueryAsync());
        Assert.Equal(MySqlErrorCode.OptionPreventsStatement, error.ErrorCode);
    }
}

public sealed class MySqlPromotionTests(MySqlFailoverFixture fixture, ITestOutputHelper output)
    : PromotionTests(fixture, output), IClassFixture<MySqlFailoverFixture>;

public sealed class MariaDbPromotionTests(MariaDbFailoverFixture fixture, ITestOutputHelper output)
    : PromotionTests(fixture, output), IClassFixture<MariaDbFailoverFixture>;

using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Compare;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Apply;

/// <summary>Helpers shared by the applier tests: positions, a run to the end of the binlog, a compare of one database.</summary>
public abstract class ApplierTestBase(SourceAndStandbyFixture servers)
{
    protected SourceAndStandbyFixture Servers { get; } = servers;

    protected Sql.ServerFlavor Flavor => Servers.Source.Flavor == TestServers.ServerFlavor.MySql ? Sql.ServerFlavor.MySql : Sql.ServerFlavor.MariaDb;

    protected static string NewDatabase(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    protected async Task<StandbyPosition> SourcePositionAsync()
    {
        await using var source = await Servers.Source.OpenAdminConnectionAsync();
        return await SourcePositionReader.ReadCurrentAsync(source, Flavor, CancellationToken.None);
    }

    protected StandbyOptions Options(string channel, StandbyPosition start, bool stopAtEnd = true) => new()
    {
        SourceConnectionString = Servers.Source.AdminConnectionString,
        TargetConnectionString = Servers.Standby.AdminConnectionString,
        Channel = channel,
        StartPosition = start,
        StopAtEnd = stopAtEnd,
    };

    protected static async Task<long> CatchUpAsync(StandbyOptions options)
    {
        var applier = new StandbyApplier(options with { StopAtEnd = true });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await applier.RunAsync(timeout.Token);
        return applier.TransactionsApplied;
    }

    protected async Task<CompareReport> CompareAsync(string database, string channel, CompareMode mode = CompareMode.Rows)
    {
        await using var source = await Servers.Source.OpenAdminConnectionAsync();
        var tables = (await SchemaCatalog.ListTablesAsync(source, CancellationToken.None)).Where(t => t.Schema == database).ToList();
        Assert.NotEmpty(tables);
        return await new StandbyComparer(new CompareOptions
        {
            SourceConnectionString = Servers.Source.AdminConnectionString,
            TargetConnectionString = Servers.Standby.AdminConnectionString,
            Tables = tables,
            Mode = mode,
            Channel = channel,
            ChunkSize = 100,
            WaitTimeout = TimeSpan.FromSeconds(30),
        }).CompareAsync(CancellationToken.None);
    }
}

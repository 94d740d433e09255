using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>
/// A snapshot's triggers are loaded guarded (<see cref="TriggerGuard"/>): the replay after the load applies rows the
/// source's trigger already changed, so the trigger must not fire for ReplicaKeeper's sessions, and must work as on
/// the source for everyone else.
/// </summary>
public abstract class SnapshotTriggerTests(SourceAndStandbyFixture servers) : IDisposable
{
    private readonly TempDirectory _archive = new();

    public void Dispose() => _archive.Dispose();

    [Fact]
    public async Task Loads_the_snapshots_triggers_guarded_so_replayed_rows_do_not_fire_them_and_other_sessions_do()
    {
        // the "standby" the snapshot is taken from: Source of the pair; the restore target: Standby of the pair
        var standby = servers.Source;
        var target = servers.Standby;
        await standby.ExecuteAsync("""
            CREATE DATABASE clinic;
            CREATE TABLE clinic.visits (id INT PRIMARY KEY, patient VARCHAR(40) NOT NULL) ENGINE=InnoDB;
            CREATE TABLE clinic.audit (seq INT AUTO_INCREMENT PRIMARY KEY, visit INT NOT NULL) ENGINE=InnoDB;
            CREATE TRIGGER clinic.visits_ai AFTER INSERT ON clinic.visits FOR EACH ROW BEGIN INSERT INTO clinic.audit (visit) VALUES (NEW.id); END;
            INSERT INTO clinic.visits VALUES (1, 'a'), (2, 'b');
            """);
        await using (var connection = await standby.OpenAdminConnectionAsync())
        {
            await PositionStore.EnsureSchemaAsync(connection, default);
            await PositionStore.WriteAsync(connection, null, new AppliedPosition(PositionStore.DefaultChannel,
                new StandbyPosition(null, null, new BinlogPosition("bin.000001", 4)), "bin.000001:4", null, null, null, DateTime.UtcNow), default);
        }

        var snapshot = await new SnapshotTaker(new ArchiveLayout(_archive.Path), null)
            .TakeAsync(new SnapshotOptions { StandbyConnectionString = standby.AdminConnectionString }, null, default);
        await TargetInstance.ResetAsync(target.AdminConnectionString, default);
        await SnapshotLoader.LoadAsync(snapshot, null, target.AdminConnectionString, PositionStore.DefaultChannel, null, default);

        var body = await target.ScalarAsync<string>("SELECT ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'clinic' AND TRIGGER_NAME = 'visits_ai'");
        Assert.True(TriggerGuard.IsGuarded(body!), body);
        Assert.Equal(2, await target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.audit"));

        // replay's session (the applier runs MarkSessionSql): the trigger does nothing
        var builder = new MySqlConnectionStringBuilder(target.AdminConnectionString) { AllowUserVariables = true, Pooling = false };
        await using (var marked = new MySqlConnection(builder.ConnectionString))
        {
            await marked.OpenAsync();
            await using var command = new MySqlCommand(TriggerGuard.MarkSessionSql + "; INSERT INTO clinic.visits VALUES (3, 'c')", marked);
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(2, await target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.audit"));

        // the clinic's own session after the restore: it fires as on the source
        await target.ExecuteAsync("INSERT INTO clinic.visits VALUES (4, 'd')");
        Assert.Equal(3, await target.ScalarAsync<long>("SELECT COUNT(*) FROM clinic.audit"));
    }
}

public sealed class MariaDbSnapshotTriggerTests(MariaDbSourceAndStandbyFixture servers) : SnapshotTriggerTests(servers), IClassFixture<MariaDbSourceAndStandbyFixture>;

public sealed class MySqlSnapshotTriggerTests(MySqlSourceAndStandbyFixture servers) : SnapshotTriggerTests(servers), IClassFixture<MySqlSourceAndStandbyFixture>;

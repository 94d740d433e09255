using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>Parallel snapshots under a committing applier, and stored programs in snapshots (see <see cref="ParallelSnapshotStory"/>).</summary>
public abstract class ParallelSnapshotTests<TStory>(TStory story) where TStory : ParallelSnapshotStory
{
    protected TStory Story { get; } = story;

    [Fact]
    public async Task Parallel_snapshot_taken_while_the_applier_commits_restores_exactly_the_state_at_its_recorded_position()
    {
        var snapshot = Story.Parallel;
        Assert.Equal(3, snapshot.ReadConnections);
        Assert.Null(snapshot.ParallelFallback);
        var k = ParallelSnapshotStory.RecordedTransaction(snapshot);
        Assert.InRange(k, 50, Story.LastCommitted - 1); // taken while the writer was committing

        await LoadAsync(snapshot);

        Assert.Equal(k, await AppliedOffsetAsync());
        await Story.WriteExpectedAsync("expect", k);
        for (var j = 0; j < ParallelSnapshotStory.Tables; j++)
        {
            Assert.Equal(await ChecksumAsync($"expect.t{j}"), await ChecksumAsync($"ledger.t{j}"));
        }
    }

    [Fact]
    public async Task One_connection_snapshot_under_the_same_load_restores_exactly_its_position_too()
    {
        var snapshot = Story.Single;
        Assert.Equal(1, snapshot.ReadConnections);
        var k = ParallelSnapshotStory.RecordedTransaction(snapshot);
        Assert.True(k > ParallelSnapshotStory.RecordedTransaction(Story.Parallel));

        await LoadAsync(snapshot);

        await Story.WriteExpectedAsync("expect", k);
        for (var j = 0; j < ParallelSnapshotStory.Tables; j++)
        {
            Assert.Equal(await ChecksumAsync($"expect.t{j}"), await ChecksumAsync($"ledger.t{j}"));
        }
    }

    [Fact]
    public async Task Parallel_snapshot_of_a_quiet_standby_is_the_same_stream_as_a_one_connection_snapshot_but_for_its_header()
    {
        var (parallel, single) = Story.Quiet;
        Assert.Equal(3, parallel.ReadConnections);
        Assert.Equal(1, single.ReadConnections);

        var parallelRecords = await RecordsAsync(parallel);
        var singleRecords = await RecordsAsync(single);

        Assert.Equal('H', (char)parallelRecords[0].Type);
        Assert.True(parallelRecords.Count > ParallelSnapshotStory.Tables * (ParallelSnapshotStory.Prefilled / 200));
        Assert.Equal(singleRecords.Count, parallelRecords.Count);
        for (var i = 1; i < parallelRecords.Count; i++)
        {
            Assert.True(singleRecords[i].Type == parallelRecords[i].Type && singleRecords[i].Payload.SequenceEqual(parallelRecords[i].Payload), $"record {i} ('{(char)parallelRecords[i].Type}') differs");
        }
    }

    [Fact]
    public async Task Routines_keep_their_sql_mode_and_literal_charset_and_events_are_restored_disabled_and_named()
    {
        var result = await LoadAsync(Story.Parallel);

        Assert.Equal(["ops.joined", "ops.literal_charset"], result.Routines.Order(StringComparer.Ordinal));
        Assert.Equal("ab", await Story.Target.ScalarAsync<string>("SELECT ops.joined()"));
        Assert.Equal("ab", await Story.Target.ScalarAsync<string>("SELECT j FROM ops.joined_view"));
        Assert.Contains("PIPES_AS_CONCAT", await Story.Target.ScalarAsync<string>("SELECT SQL_MODE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'ops' AND ROUTINE_NAME = 'joined'"), StringComparison.Ordinal);
        await using (var connection = await Story.Target.OpenAdminConnectionAsync())
        {
            await using var call = new MySqlCommand("CALL ops.literal_charset()", connection);
            Assert.Equal("latin1", await call.ExecuteScalarAsync());
        }

        Assert.Equal(["ops.nightly", "ops.once"], result.DisabledEvents.Select(e => e.Schema + "." + e.Name));
        var disabled = result.DisabledEvents[0];
        Assert.Equal("ENABLED", disabled.StatusOnStandby);
        Assert.Contains("DISABLED", result.DisabledEvents[1].StatusOnStandby, StringComparison.Ordinal); // SLAVESIDE_ / REPLICA_SIDE_DISABLED
        Assert.Equal("DISABLED,DISABLED", await Story.Target.ScalarAsync<string>("SELECT GROUP_CONCAT(STATUS ORDER BY EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'ops'"));
        Assert.Equal("ON COMPLETION PRESERVE ENABLE", await Story.Target.ScalarAsync<string>("SELECT EVENT_COMMENT FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'ops' AND EVENT_NAME = 'once'"));
        Assert.Contains("ops.nightly", result.Describe(), StringComparison.Ordinal);
        Assert.Equal("ENABLED", await Story.Standby.ScalarAsync<string>("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'ops' AND EVENT_NAME = 'nightly'"));
        Assert.Null(await Story.Target.ScalarAsync<string>("SELECT DEFINER FROM information_schema.ROUTINES WHERE DEFINER LIKE '%localhost%' AND ROUTINE_SCHEMA = 'ops' LIMIT 1"));

        // Enabling it as the result says works.
        await Story.Target.ExecuteAsync(disabled.EnableStatement);
        Assert.Equal("ENABLED", await Story.Target.ScalarAsync<string>("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = 'ops' AND EVENT_NAME = 'nightly'"));
    }

    [Fact]
    public async Task When_no_further_connection_can_be_opened_the_snapshot_is_read_with_one_and_says_why()
    {
        // A snapshot user limited to one connection at a time.
        await Story.Standby.ExecuteAsync(
            "CREATE USER IF NOT EXISTS 'rk_one'@'%' IDENTIFIED BY 'one-Conn3ction' WITH MAX_USER_CONNECTIONS 1; GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON *.* TO 'rk_one'@'%'");
        var limited = new MySqlConnectionStringBuilder(Story.Standby.AdminConnectionString) { UserID = "rk_one", Password = "one-Conn3ction" }.ConnectionString;
        using var archive = new TempDirectory();

        var snapshot = await new SnapshotTaker(new ArchiveLayout(archive.Path), null)
            .TakeAsync(new SnapshotOptions { StandbyConnectionString = limited, Connections = 3 }, null, default);

        Assert.Equal(1, snapshot.ReadConnections);
        Assert.Contains("a further connection to the standby could not be opened", snapshot.ParallelFallback, StringComparison.Ordinal);
        Assert.Equal(Story.Quiet.Single.Position.Offset, snapshot.Position.Offset);
        Assert.Equal(Story.Quiet.Single.Rows, snapshot.Rows);
    }

    private async Task<SnapshotLoadResult> LoadAsync(SnapshotInfo snapshot)
    {
        await TargetInstance.ResetAsync(Story.Target.AdminConnectionString, default);
        return await SnapshotLoader.LoadAsync(snapshot, null, Story.Target.AdminConnectionString, PositionStore.DefaultChannel, null, default);
    }

    private async Task<long> AppliedOffsetAsync()
    {
        await using var connection = await Story.Target.OpenAdminConnectionAsync();
        var applied = await PositionStore.ReadAsync(connection, PositionStore.DefaultChannel, default);
        return (long)(applied?.Position.File?.Offset ?? throw new InvalidOperationException("no applied_position on the target"));
    }

    private async Task<long> ChecksumAsync(string table)
    {
        await using var connection = await Story.Target.OpenAdminConnectionAsync();
        await using var command = new MySqlCommand($"CHECKSUM TABLE {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
    }

    /// <summary>The decompressed stream's records (documented format: magic RKSNAP01, then type byte, LEB128 length, payload).</summary>
    private static async Task<List<(byte Type, byte[] Payload)>> RecordsAsync(SnapshotInfo snapshot)
    {
        await using var stream = await SnapshotCatalog.OpenAsync(snapshot, null, default);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        var bytes = copy.ToArray();
        Assert.Equal("RKSNAP01"u8.ToArray(), bytes[..8]);
        var records = new List<(byte, byte[])>();
        for (var at = 8; at < bytes.Length;)
        {
            var type = bytes[at++];
            var length = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = bytes[at++];
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            records.Add((type, bytes[at..(at + length)]));
            at += length;
        }

        return records;
    }
}

public sealed class MariaDbParallelSnapshotTests(MariaDbParallelSnapshotStory story) : ParallelSnapshotTests<MariaDbParallelSnapshotStory>(story), IClassFixture<MariaDbParallelSnapshotStory>;

public sealed class MySqlParallelSnapshotTests(MySqlParallelSnapshotStory story) : ParallelSnapshotTests<MySqlParallelSnapshotStory>(story), IClassFixture<MySqlParallelSnapshotStory>;

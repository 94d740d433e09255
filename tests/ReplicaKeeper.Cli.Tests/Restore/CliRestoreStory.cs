using System.Diagnostics;
using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Restore;

/// <summary>
/// A MariaDB master archived live from its first binlog and followed by a standby (the library's archiver and applier,
/// as the daemon runs them), and an empty target instance. Played once per class: a clinic schema and some work, the
/// standby caught up (plus an enabled event on the standby), then <c>replicakeeper snapshot</c> run for real; after it, more work including an accidental
/// DELETE (<see cref="BadGtid"/>) and work after that, all archived.
/// </summary>
public sealed class CliRestoreStory : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _archiver;
    private Task? _applier;

    public TestServer Master { get; private set; } = null!;

    public TestServer Standby { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), "rk-clisnap-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The real <c>replicakeeper snapshot</c> run of the story.</summary>
    public CliRun SnapshotRun { get; private set; } = null!;

    /// <summary>The transaction that deleted patient 42 by mistake (after the snapshot).</summary>
    public string BadGtid { get; private set; } = null!;

    public string LastGtid { get; private set; } = null!;

    public long MasterChecksum { get; private set; }

    public async Task InitializeAsync()
    {
        var options = TestServerOptions.MariaDb;
        var starts = new[] { TestServer.StartAsync(options), TestServer.StartAsync(options with { Standby = true }), TestServer.StartAsync(options with { Standby = true }) };
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            throw;
        }

        (Master, Standby, Target) = (await starts[0], await starts[1], await starts[2]);
        Directory.CreateDirectory(ArchiveDirectory);
        var first = (await Master.BinlogFilesAsync())[0];
        _archiver = Task.Run(() => LiveArchiver.RunAsync(
            new LiveArchiverOptions
            {
                Layout = new ArchiveLayout(ArchiveDirectory),
                StartFile = first,
                Replication = new ReplicationOptions { Connection = ConnectionOptions.Parse(Master.ReplicationConnectionString), HeartbeatInterval = TimeSpan.FromSeconds(1) },
            },
            _stop.Token));
        var applier = new StandbyApplier(new StandbyOptions
        {
            SourceConnectionString = Master.ReplicationConnectionString,
            TargetConnectionString = Standby.AdminConnectionString,
            StartPosition = new StandbyPosition(null, MariaDbGtidList.Empty, null),
        });
        _applier = Task.Run(() => applier.RunAsync(_stop.Token));

        await Master.ExecuteAsync("""
            CREATE DATABASE clinic CHARACTER SET utf8mb4;
            CREATE TABLE clinic.patients (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, born DATE, note TEXT);
            CREATE TABLE clinic.visits (id INT AUTO_INCREMENT PRIMARY KEY, patient INT NOT NULL, at DATETIME(6) NOT NULL, KEY (patient));
            """);
        await PatientsAsync(1, 60);
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        await WaitForStandbyAsync(await GtidAsync());

        // An event only the standby has (created there without binary logging): it must come back DISABLED and named.
        await Standby.ExecuteAsync("SET SESSION sql_log_bin = 0; CREATE EVENT clinic.reminders ON SCHEDULE EVERY 1 HOUR STARTS '2037-01-01 00:00:00' ENABLE DO DELETE FROM clinic.visits WHERE id < 0");
                SnapshotRun = await CliRun.RunAsync(["snapshot", "--from", Standby.AdminConnectionString, "--archive", ArchiveDirectory]);

        await PatientsAsync(61, 20);
        await Master.ExecuteAsync("DELETE FROM clinic.patients WHERE id = 42");
        BadGtid = await GtidAsync();
        await PatientsAsync(81, 20);
        LastGtid = await GtidAsync();
        MasterChecksum = await ChecksumAsync(Master, "clinic.patients");
        await WaitForArchiveAsync(LastGtid);
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _archiver, _applier }.OfType<Task>())
        {
            try
            {
                await task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception)
            {
                // cancelled, or failed: the tests that needed it have reported
            }
        }

        foreach (var server in new[] { Master, Standby, Target }.Where(s => s is not null))
        {
            await server.DisposeAsync();
        }

        _stop.Dispose();
        try
        {
            Directory.Delete(ArchiveDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static async Task<long> ChecksumAsync(TestServer server, string table)
    {
        await using var connection = await server.OpenAdminConnectionAsync();
        await using var command = new MySqlCommand($"CHECKSUM TABLE {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
    }

    private async Task PatientsAsync(int firstId, int count)
    {
        await using var connection = await Master.OpenAdminConnectionAsync();
        for (var id = firstId; id < firstId + count; id++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using var command = new MySqlCommand(string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO clinic.patients VALUES ({id}, 'patient {id} ö', '1970-01-01' + INTERVAL {id * 97} DAY, REPEAT('x', {id % 30})); " +
                $"INSERT INTO clinic.visits (patient, at) VALUES ({id}, '2026-11-26 08:00:00' + INTERVAL {id} MINUTE)"), connection, transaction);
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
    }

    private async Task<string> GtidAsync() => (await Master.ScalarAsync<string>("SELECT @@GLOBAL.gtid_binlog_pos"))!;

    private async Task WaitForStandbyAsync(string gtid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            await using var connection = await Standby.OpenAdminConnectionAsync();
            var applied = await PositionStore.ReadAsync(connection, PositionStore.DefaultChannel, default);
            if (applied?.Position.MariaDbGtids is { } have && have.Covers(MariaDbGtid.Parse(gtid)))
            {
                return;
            }

            ThrowIfStopped();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the standby did not apply {gtid} (it has {applied?.Position})");
            }

            await Task.Delay(100);
        }
    }

    private async Task WaitForArchiveAsync(string gtid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var status = await ArchiveStatus.ReadAsync(new ArchiveLayout(ArchiveDirectory), default);
            if (status.Durable?.Gtids is { } have && MariaDbGtidList.Parse(have).Covers(MariaDbGtid.Parse(gtid)))
            {
                return;
            }

            ThrowIfStopped();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the archive did not receive {gtid} (it has {status.Durable?.Gtids})");
            }

            await Task.Delay(100);
        }
    }

    private void ThrowIfStopped()
    {
        foreach (var (name, task) in new[] { ("archiver", _archiver), ("standby applier", _applier) })
        {
            if (task is { IsCompleted: true })
            {
                throw new InvalidOperationException($"the {name} stopped: {task.Exception?.GetBaseException().Message}", task.Exception?.GetBaseException());
            }
        }
    }
}

/// <summary>One run of the real <c>replicakeeper</c> executable: exit code and what it printed.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"replicakeeper {string.Join(' ', arguments.Take(1))} did not finish in 3 minutes");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using MySqlConnector;
using ReplicaKeeper.Failover.Status;
using ReplicaKeeper.Failover.Tests.Notifications;
using ReplicaKeeper.Replication.Tests.Faults;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Cli.Tests.Daemon;

/// <summary>
/// The real <c>replicakeeper run</c> process against a real MariaDB source and standby, under a continuous workload,
/// through a loopback proxy we can cut: kill -9 and restart of the daemon, a source restart, a link cut, then two
/// minutes of steady load without a component down, an alert or the standby falling behind (about 3 minutes). Afterwards
/// the archive verifies, the standby compares equal, /status and /metrics showed each incident, and the
/// SourceUnreachable alert and its resolution arrived at a loopback SMTP sink exactly once each.
/// </summary>
public sealed class DaemonSoakTests(MariaDbSourceAndStandbyFixture fixture, ITestOutputHelper output) : IClassFixture<MariaDbSourceAndStandbyFixture>
{
    private const string PasswordVariable = "RK_TEST_SOAK_PASSWORD";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SteadyPhase = TimeSpan.FromMinutes(2);

    private TestServer Source => fixture.Source;

    private TestServer Standby => fixture.Standby;

    [Fact]
    public async Task Daemon_survives_kill_source_restart_and_link_cut_with_a_verified_archive_an_equal_standby_and_one_alert()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(9));
        var ct = cts.Token;
        var dir = Directory.CreateTempSubdirectory("rk-soak-").FullName;
        await using var proxy = FaultProxy.Start(Source.Host, Source.Port);
        await using var sink = new SmtpSink();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var port = FreePort();
        var baseUri = new Uri($"http://127.0.0.1:{port}/");

        // schema on the source, then the standby applies the source's history once (the daemon needs a start position)
        await Source.ExecuteAsync("CREATE DATABASE IF NOT EXISTS soak; CREATE TABLE IF NOT EXISTS soak.visits (id INT AUTO_INCREMENT PRIMARY KEY, patient INT NOT NULL, note VARCHAR(100), seen DATETIME(6))", ct);
        var seed = await RunCliAsync(["standby", "--source", Source.ReplicationConnectionString, "--target", Standby.AdminConnectionString, "--from-gtid", "", "--stop-at-end"], ct);
        Assert.True(seed.ExitCode == 0, "standby seeding failed: " + seed.Output);

        var configPath = Path.Combine(dir, "replicakeeper.json");
        await File.WriteAllTextAsync(configPath, new JsonObject
        {
            ["Source"] = new JsonObject { ["ConnectionString"] = $"Server={proxy.Host};Port={proxy.Port};User ID={Source.ReplicationUser}", ["PasswordEnv"] = PasswordVariable, ["HeartbeatSeconds"] = 1 },
            ["Archive"] = new JsonObject { ["Dir"] = "archive", ["VerifyIntervalMinutes"] = 0.25 },
            ["Standby"] = new JsonObject { ["ConnectionString"] = Standby.AdminConnectionString.Replace($"Password={Standby.AdminPassword}", "", StringComparison.Ordinal), ["PasswordEnv"] = "RK_TEST_SOAK_STANDBY_PASSWORD" },
            ["Http"] = new JsonObject { ["Port"] = port },
            ["Notifications"] = new JsonObject
            {
                ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = sink.Port, ["Security"] = "None", ["From"] = "rk@clinic.example", ["To"] = new JsonArray("ops@clinic.example") },
                ["Alerts"] = new JsonObject { ["MaxLinkDownSeconds"] = 3 },
                ["CheckIntervalSeconds"] = 0.5,
            },
        }.ToJsonString(), ct);

        using var workloadStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workload = Task.Run(() => WorkloadAsync(workloadStop.Token), CancellationToken.None);
        var log = new StringBuilder();
        var daemon = StartDaemon(configPath, log);
        try
        {
            var status = await WaitForStatusAsync(http, baseUri, s => Component(s, "archiver") is { Up: true } && s.Archive?.DurableOffset > 0 && s.Applier?.AppliedPosition is not null, "archiving and applying", log, ct);
            status = await WaitForStatusAsync(http, baseUri, s => s.Applier?.LagSeconds is not null, "a numeric applier lag under load", log, ct);
            Assert.InRange(status.Applier!.LagSeconds!.Value, 0, 60);
            Assert.False(status.Daemon!.PreviousRunCrashed);
            await Task.Delay(TimeSpan.FromSeconds(10), ct);

            // incident 1: kill -9 of the daemon in the middle of the workload, then a restart
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync(ct);
            daemon.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            daemon = StartDaemon(configPath, log);
            status = await WaitForStatusAsync(http, baseUri, s => s.Daemon is { PreviousRunCrashed: true, UncleanRestarts: 1 } && Component(s, "archiver") is { Up: true }, "the restart after kill -9", log, ct);
            Assert.Contains("replicakeeper_previous_run_crashed 1", await http.GetStringAsync(new Uri(baseUri, "metrics"), ct), StringComparison.Ordinal);
            await Task.Delay(TimeSpan.FromSeconds(8), ct);

            // incident 2: the source restarts (down long enough for the SourceUnreachable alert)
            await Source.StopAsync(ct);
            await WaitForStatusAsync(http, baseUri, s => s.ActiveAlerts.Any(a => a.StartsWith("SourceUnreachable", StringComparison.Ordinal)), "the SourceUnreachable alert", log, ct);
            await Source.StartAgainAsync(ct);
            status = await WaitForStatusAsync(http, baseUri, s => Component(s, "archiver") is { Reconnects: >= 1 } && Component(s, "standby") is { Reconnects: >= 1 } && s.ActiveAlerts.Count == 0, "reconnects after the source restart", log, ct);
            var afterRestart = Component(status, "archiver")!;
            Assert.True(afterRestart.LinkFailures >= 1);
            await Task.Delay(TimeSpan.FromSeconds(8), ct);

            // incident 3: the link is cut
            proxy.CutAll();
            status = await WaitForStatusAsync(http, baseUri, s => Component(s, "archiver")!.Reconnects > afterRestart.Reconnects, "a reconnect after the link cut", log, ct);
            var metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"), ct);
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"replicakeeper_source_reconnects_total{{component=\"archiver\"}} {Component(status, "archiver")!.Reconnects}"), metrics, StringComparison.Ordinal);
            await Task.Delay(TimeSpan.FromSeconds(8), ct);

            // steady load after the incidents: two minutes in which every component stays up, no alert is raised and
            // the standby keeps up (the workload writes continuously)
            var steady = Stopwatch.StartNew();
            while (steady.Elapsed < SteadyPhase)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                status = await WaitForStatusAsync(http, baseUri, s => s.Applier is not null, "a status", log, ct);
                Assert.True(Component(status, "archiver") is { Up: true } && Component(status, "standby") is { Up: true }, $"a component is down after {steady.Elapsed}: {StatusJson.Serialize(status)}");
                Assert.True(status.ActiveAlerts.Count == 0, $"alert(s) under steady load after {steady.Elapsed}: {string.Join("; ", status.ActiveAlerts)}");
                Assert.True(status.Applier!.LagSeconds is null or < 60, $"the standby fell {status.Applier.LagSeconds} s behind under steady load");
            }

            // quiesce: everything the source has is durable in the archive and applied on the standby
            await workloadStop.CancelAsync();
            var transactions = await workload;
            var sourceGtids = await Source.ScalarAsync<string>("SELECT @@GLOBAL.gtid_binlog_pos", ct);
            status = await WaitForStatusAsync(http, baseUri, s => s.Archive?.DurableGtids == sourceGtids, $"the archive to reach {sourceGtids}", log, ct);
            Assert.True(status.Archive!.Gaps.Count == 0, "verification problems: " + string.Join("; ", status.Archive.Gaps));
            output.WriteLine($"{transactions} workload transactions; source at {sourceGtids}; status: {StatusJson.Serialize(status)}");
            // idle and applied: the applier's lag is 0 (not the age of the last transaction, as Seconds_Behind_Master can be)
            status = await WaitForStatusAsync(http, baseUri, s => s.Applier?.LagSeconds == 0, "the applier to catch up (lag 0)", log, ct);
            await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
            status = await WaitForStatusAsync(http, baseUri, s => s.Applier is not null, "a status", log, ct);
            Assert.Equal(0, status.Applier!.LagSeconds);
            metrics = await http.GetStringAsync(new Uri(baseUri, "metrics"), ct);
            Assert.Contains("\nreplicakeeper_standby_lag_seconds 0\n", metrics, StringComparison.Ordinal);
            var appliedSourceTime = Gauge(metrics, "replicakeeper_standby_applied_source_timestamp_seconds");
            var lastWrite = await Source.ScalarAsync<double>("SELECT CAST(UNIX_TIMESTAMP(MAX(seen)) AS DOUBLE) FROM soak.visits", ct);
            Assert.InRange(appliedSourceTime, Math.Floor(lastWrite) - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
            foreach (var name in new[] { "replicakeeper_archive_lag_seconds", "replicakeeper_archive_lag_bytes", "replicakeeper_archive_durable_offset_bytes", "replicakeeper_standby_applied_info", "replicakeeper_standby_apply_rate", "replicakeeper_component_errors_total", "replicakeeper_component_up{component=\"standby\"} 1" })
            {
                Assert.Contains(name, metrics, StringComparison.Ordinal);
            }

            // a clean stop: exit 0 and the crash marker is gone
            using (var term = Process.Start("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(ct);
            }

            await daemon.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.True(daemon.ExitCode == 0, $"exit {daemon.ExitCode}\n{log}");
            Assert.False(File.Exists(Path.Combine(dir, "state", "running")));
        }
        finally
        {
            await workloadStop.CancelAsync();
            if (!daemon.HasExited)
            {
                daemon.Kill(entireProcessTree: true);
            }

            daemon.Dispose();
            if (!Source.IsRunning)
            {
                await Source.StartAgainAsync(CancellationToken.None);
            }
        }

        var verify = await RunCliAsync(["archive", "verify", "--dir", Path.Combine(dir, "archive")], ct);
        Assert.True(verify.ExitCode == 0, "archive verify: " + verify.Output);
        var compare = await RunCliAsync(["compare", "--source", Source.AdminConnectionString, "--target", Standby.AdminConnectionString, "--tables", "soak.visits"], ct);
        Assert.True(compare.ExitCode == 0, "compare: " + compare.Output);

        var mails = sink.Messages.ToList();
        Assert.Single(mails, m => m.Contains("Subject: [ReplicaKeeper ALERT] SourceUnreachable", StringComparison.Ordinal));
        Assert.Single(mails, m => m.Contains("Subject: [ReplicaKeeper RESOLVED] SourceUnreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(mails, m => m.Contains(Source.ReplicationPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(Source.ReplicationPassword, log.ToString(), StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    private static ComponentStatusView? Component(StatusSnapshot status, string name) => status.Components.FirstOrDefault(c => c.Name == name);

    /// <summary>Small clinic transactions straight into the source (not through the proxy) until cancelled; errors while the source restarts are retried.</summary>
    private async Task<long> WorkloadAsync(CancellationToken ct)
    {
        long done = 0;
        var random = new Random(4711);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new MySqlConnection(Source.AdminConnectionString);
                await connection.OpenAsync(ct);
                while (!ct.IsCancellationRequested)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = random.Next(4) == 0
                        ? "UPDATE soak.visits SET note = CONCAT('revised ', @n) WHERE id = (SELECT MAX(id) FROM soak.visits)"
                        : "INSERT INTO soak.visits (patient, note, seen) VALUES (@p, @n, NOW(6))";
                    command.Parameters.AddWithValue("@p", random.Next(1, 5000));
                    command.Parameters.AddWithValue("@n", "visit " + done);
                    await command.ExecuteNonQueryAsync(ct);
                    done++;
                    await Task.Delay(20, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (MySqlException)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }

        return done;
    }

    private Process StartDaemon(string configPath, StringBuilder log)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(configPath)! };
        foreach (var arg in new[] { typeof(Program).Assembly.Location, "run", "--config", configPath })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[PasswordVariable] = Source.ReplicationPassword;
        info.Environment["RK_TEST_SOAK_STANDBY_PASSWORD"] = Standby.AdminPassword;
        var process = Process.Start(info)!;
        void Append(object? _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (log)
                {
                    log.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {name} in /metrics:\n{metrics}");
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<StatusSnapshot> WaitForStatusAsync(HttpClient http, Uri baseUri, Func<StatusSnapshot, bool> until, string what, StringBuilder log, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + StepTimeout;
        StatusSnapshot? last = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                last = StatusJson.Deserialize(await http.GetStringAsync(new Uri(baseUri, "status"), ct));
                if (until(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(250, ct);
        }

        string tail;
        lock (log)
        {
            tail = string.Join('\n', log.ToString().Split('\n').TakeLast(60));
        }

        throw new Xunit.Sdk.XunitException($"timed out waiting for {what}; last status: {(last is null ? "(none)" : StatusJson.Serialize(last))}\ndaemon log:\n{tail}");
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

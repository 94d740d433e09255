using System.Diagnostics;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Archive.Verification;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Archive.Tests.Live;

/// <summary>Runs the real `replicakeeper archive` executable and kills it with SIGKILL at random moments during a workload.</summary>
public abstract class ArchiverCrashTests(TestServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_archiver_20_times_during_a_workload_loses_and_doubles_nothing()
    {
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var startFile = (await server.BinlogFilesAsync(cts.Token))[^1];
        var workload = Task.Run(() => ContinuousWorkloadAsync(server, cts.Token), cts.Token);
        var random = new Random(12345);
        var kills = 0;
        while (kills < 20 || !workload.IsCompleted)
        {
            using var archiver = StartArchiver(dir.Path, startFile);
            await Task.Delay(random.Next(300, 1500), cts.Token);
            if (archiver.HasExited)
            {
                Assert.Fail($"archiver exited with {archiver.ExitCode}: {await archiver.StandardError.ReadToEndAsync(cts.Token)}");
            }

            archiver.Kill(entireProcessTree: true);
            await archiver.WaitForExitAsync(cts.Token);
            kills++;
        }

        await workload;
        await server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var closed = (await server.BinlogFilesAsync(cts.Token)).SkipLast(1).SkipWhile(f => f != startFile).ToList();
        using (var final = StartArchiver(dir.Path, startFile))
        {
            await LiveArchiverTests.WaitForSealedAsync(dir.Layout, closed, Task.Delay(Timeout.Infinite, cts.Token), cts.Token);
            final.Kill(entireProcessTree: true);
            await final.WaitForExitAsync(cts.Token);
        }

        output.WriteLine($"{kills} kills, {closed.Count} segments, {(await Manifest.ReadAsync(dir.Layout, cts.Token)).Entries.Sum(e => e.Transactions)} transactions archived");
        var manifest = await Manifest.ReadAsync(dir.Layout, cts.Token);
        foreach (var name in closed)
        {
            var entry = manifest.Entries.Single(e => e.Segment == name);
            await using var stored = File.OpenRead(dir.Layout.SealedPath(entry.StoredName!));
            await using var reader = SegmentCodec.OpenReader(stored, null, name);
            using var decoded = new MemoryStream();
            await reader.CopyToAsync(decoded, cts.Token);
            Assert.True(File.ReadAllBytes(server.BinlogPath(name)).AsSpan().SequenceEqual(decoded.ToArray()), $"{name} differs from the master's file");
        }

        var report = await new ArchiveVerifier(dir.Layout, null).VerifyAsync(cts.Token);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.True(closed.Count >= 4, $"only {closed.Count} segments");
    }

    private Process StartArchiver(string directory, string startFile)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { CliPath, "archive", "--source", server.ReplicationConnectionString, "--dir", directory, "--start-file", startFile, "--heartbeat", "1" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static string CliPath
    {
        get
        {
            // tests/ReplicaKeeper.Archive.Tests/bin/<Configuration>/net10.0/: the CLI is built in the same configuration
            var root = AppContext.BaseDirectory;
            var configuration = new DirectoryInfo(root).Parent!.Name;
            var path = Path.GetFullPath(Path.Combine(root, "..", "..", "..", "..", "..", "src", "ReplicaKeeper.Cli", "bin", configuration, "net10.0", "replicakeeper.dll"));
            return File.Exists(path) ? path : throw new FileNotFoundException("build src/ReplicaKeeper.Cli first", path);
        }
    }

    private static async Task ContinuousWorkloadAsync(TestServer server, CancellationToken ct)
    {
        await server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS crash", ct);
        await server.ExecuteAsync("CREATE TABLE IF NOT EXISTS crash.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64), n INT)", ct);
        await using var connection = await server.OpenAdminConnectionAsync(ct);
        var clock = Stopwatch.StartNew();
        var i = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(25))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = i % 10 == 0
                ? $"BEGIN; INSERT INTO crash.t (v, n) VALUES ('multi-{i}', {i}), ('multi-{i}b', {i}); UPDATE crash.t SET n = n + 1 WHERE id % 5 = {i % 5}; COMMIT"
                : $"INSERT INTO crash.t (v, n) VALUES ('row-{i}', {i})";
            await command.ExecuteNonQueryAsync(ct);
            if (++i % 60 == 0)
            {
                command.CommandText = "FLUSH BINARY LOGS";
                await command.ExecuteNonQueryAsync(ct);
            }
        }
    }
}

public sealed class MariaDbArchiverCrashTests(MariaDbFixture fixture, ITestOutputHelper output)
    : ArchiverCrashTests(fixture.Server, output), IClassFixture<MariaDbFixture>;

public sealed class MySqlArchiverCrashTests(MySqlFixture fixture, ITestOutputHelper output)
    : ArchiverCrashTests(fixture.Server, output), IClassFixture<MySqlFixture>;

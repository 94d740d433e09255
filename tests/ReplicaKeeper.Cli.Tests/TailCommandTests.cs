using System.Diagnostics;
using System.Text.Json;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Cli.Tests;

/// <summary>End to end: the real executable tails a real MariaDB, prints rows as JSON lines and stops on SIGINT.</summary>
public sealed class TailCommandTests(MariaDbFixture fixture) : IClassFixture<MariaDbFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>Starts <c>replicakeeper tail</c> with the replication password in an environment variable.</summary>
    private Process StartTail(params string[] extra)
    {
        var connection = $"Server={Server.Host};Port={Server.Port};User ID={Server.ReplicationUser}";
        // A process started from a background job inherits SIGINT as ignored, and .NET keeps it ignored, as an
        // operator's shell would not. Reset it to the default before exec so Ctrl+C is tested the way a person sends it.
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in new[] { "tail", "--source", connection, "--password-env", "RK_TEST_TAIL_PASSWORD", "--heartbeat", "1" }.Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["RK_TEST_TAIL_PASSWORD"] = Server.ReplicationPassword;
        return Process.Start(start)!;
    }

    private static async Task<string> ReadLineAsync(Process process, Func<string, bool> wanted, List<string> seen)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException($"tail ended early: {await process.StandardError.ReadToEndAsync()}");
            seen.Add(line);
            if (wanted(line))
            {
                return line;
            }
        }
    }

    [Fact]
    public async Task Tail_prints_inserted_rows_as_json_lines_and_stops_cleanly_on_ctrl_c()
    {
        await Server.ExecuteAsync("CREATE DATABASE IF NOT EXISTS rk_cli; CREATE TABLE IF NOT EXISTS rk_cli.t (id INT PRIMARY KEY, name VARCHAR(20))");
        using var tail = StartTail("--from-now");
        var seen = new List<string>();
        try
        {
            // the stream is up once the source's FORMAT_DESCRIPTION has been printed
            await ReadLineAsync(tail, l => l.Contains("\"type\":\"format_description\"", StringComparison.Ordinal), seen);
            await Server.ExecuteAsync("INSERT INTO rk_cli.t VALUES (1, 'alpha'), (2, 'beta')");
            var rowsLine = await ReadLineAsync(tail, l => l.Contains("\"rows\"", StringComparison.Ordinal), seen);
            using var json = JsonDocument.Parse(rowsLine);
            var root = json.RootElement;
            Assert.Equal("rk_cli", root.GetProperty("schema").GetString());
            Assert.Equal("t", root.GetProperty("table").GetString());
            var rows = root.GetProperty("rows").EnumerateArray().ToList();
            Assert.Equal(2, rows.Count);
            Assert.Equal("alpha", rows[0].GetProperty("name").GetString());
            Assert.Equal(2, rows[1].GetProperty("id").GetInt32());
            Assert.Matches(@"^\d+-\d+-\d+$", root.GetProperty("gtid").GetString());
            await ReadLineAsync(tail, l => l.Contains("\"commit\":true", StringComparison.Ordinal), seen);
        }
        finally
        {
            using var kill = Process.Start("kill", ["-INT", tail.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tail.WaitForExitAsync(exit.Token);
        Assert.True(tail.ExitCode == 0, $"exit code {tail.ExitCode}: {await tail.StandardError.ReadToEndAsync()}");
        Assert.All(seen, l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task Tail_names_a_purged_position_and_exits_with_the_position_code()
    {
        using var tail = StartTail("--from", "bin.999990:4");
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = tail.StandardError.ReadToEndAsync();
        await tail.WaitForExitAsync(exit.Token);
        Assert.Equal(5, tail.ExitCode);
        Assert.Contains("bin.999990:4", await stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_rejects_a_malformed_gtid_with_the_usage_code()
    {
        using var tail = StartTail("--from-gtid", "not-a-gtid");
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = tail.StandardError.ReadToEndAsync();
        await tail.WaitForExitAsync(exit.Token);
        Assert.Equal(2, tail.ExitCode);
        Assert.Contains("not-a-gtid", await stderr, StringComparison.Ordinal);
    }
}

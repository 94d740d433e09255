using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Demo;

/// <summary>
/// End to end: the real executable runs <c>replicakeeper demo</c> on its own throwaway MariaDB servers, and leaves
/// no server process and no directory behind, whether it runs to the end or is interrupted with Ctrl+C.
/// </summary>
public sealed partial class DemoCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Demo_restores_patient_4711_keeps_later_writes_passes_every_check_and_cleans_up()
    {
        var clock = Stopwatch.StartNew();
        var (exitCode, output) = await RunDemoAsync(interruptWhen: null);

        Assert.True(exitCode == 0, $"exit code {exitCode}; output:{Environment.NewLine}{output}");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"the demo took {clock.Elapsed}");
        Assert.Matches(@"Step (\d+)/\1 Check the restored data", output);
        Assert.Contains("PASS the standby's snapshot is stored in the archive", output, StringComparison.Ordinal);
        Assert.Matches(@"PASS find names exactly one transaction that deleted patient 4711 \(1 found\)", output);
        Assert.Contains("statement: DELETE FROM clinic.patients WHERE id = 4711", output, StringComparison.Ordinal);
        // long lines wrap at the console width (between words)
        Assert.Matches(new Regex(@"restored to GTID \S+\s.*?:\s+\d+\s+transactions\s+(applied|replayed),\s+1\s+skipped\s+\(0-\d+-\d+\)", RegexOptions.Singleline), output);
        Assert.Contains("PASS patient 4711 is back, exactly as he was", output, StringComparison.Ordinal);
        Assert.Contains("PASS the patient registered after the accident is there with his appointment", output, StringComparison.Ordinal);
        Assert.Contains("PASS clinic.patients except 4711 equals the master", output, StringComparison.Ordinal);
        Assert.Contains("PASS clinic.appointments equals the master", output, StringComparison.Ordinal);
        Assert.Contains("PASS clinic.studies equals the master", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        var passed = PassedLine().Match(output);
        Assert.True(passed.Success, output);
        Assert.Equal(passed.Groups[1].Value, passed.Groups[2].Value);
        Assert.Equal(Regex.Matches(output, "^  PASS ", RegexOptions.Multiline).Count.ToString(CultureInfo.InvariantCulture), passed.Groups[1].Value);
        AssertCleanedUp(output);
    }

    [Fact]
    public async Task Ctrl_c_during_the_demo_stops_it_and_removes_its_servers_and_files()
    {
        var (exitCode, output) = await RunDemoAsync(interruptWhen: line => line.StartsWith("Step 3/", StringComparison.Ordinal));

        Assert.True(exitCode == 130, $"exit code {exitCode}; output:{Environment.NewLine}{output}");
        Assert.Contains("Interrupted", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Demo passed", output, StringComparison.Ordinal);
        AssertCleanedUp(output);
    }

    /// <summary>The demo's working directory (named in step 1) is gone and no server runs from it.</summary>
    private static void AssertCleanedUp(string output)
    {
        var directory = WorkDirectory().Match(output);
        Assert.True(directory.Success, output);
        var path = directory.Groups[1].Value;
        Assert.False(Directory.Exists(path), $"{path} still exists");
        foreach (var process in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText($"/proc/{process}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            Assert.False(commandLine.Contains("mariadbd", StringComparison.Ordinal) && commandLine.Contains(path, StringComparison.Ordinal),
                $"a server of the demo still runs: {commandLine}");
        }
    }

    /// <summary>Runs the CLI's demo; with <paramref name="interruptWhen"/>, sends SIGINT at the first matching line.</summary>
    private static async Task<(int ExitCode, string Output)> RunDemoAsync(Func<string, bool>? interruptWhen)
    {
        // SIGINT at its default disposition even when the test runner was started from a background job
        var start = new ProcessStartInfo("perl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "dotnet", typeof(Program).Assembly.Location, "demo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        var interrupted = false;
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                if (!interrupted && interruptWhen is not null && interruptWhen(line))
                {
                    interrupted = true;
                    using var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
                    await kill.WaitForExitAsync(timeout.Token);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the demo did not finish within {Limit}; output so far:{Environment.NewLine}{output}");
        }

        return (process.ExitCode, output + await errors);
    }

    [GeneratedRegex(@"Demo passed: (\d+) of (\d+) checks passed in [\d.]+ s\.")]
    private static partial Regex PassedLine();

    [GeneratedRegex(@"working directory (/\S+)")]
    private static partial Regex WorkDirectory();
}

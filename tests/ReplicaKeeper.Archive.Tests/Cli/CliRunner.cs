using System.Diagnostics;

namespace ReplicaKeeper.Archive.Tests.Cli;

/// <summary>Runs the real replicakeeper executable (built in the tests' own configuration) and captures its output.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // never inherit credentials or keys from the machine running the tests
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REPLICAKEEPER_ARCHIVE_KEY" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
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
}

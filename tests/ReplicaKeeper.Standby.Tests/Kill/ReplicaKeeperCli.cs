using System.Diagnostics;
using System.Text;

namespace ReplicaKeeper.Standby.Tests.Kill;

/// <summary>The real <c>replicakeeper</c> executable of this build configuration, run as a child process.</summary>
internal sealed class ReplicaKeeperCli : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ReplicaKeeperCli(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>tests/ReplicaKeeper.Standby.Tests/bin/&lt;Configuration&gt;/net10.0/: the CLI is built in the same configuration (project reference).</summary>
    private static string DllPath
    {
        get
        {
            var root = AppContext.BaseDirectory;
            var configuration = new DirectoryInfo(root).Parent!.Name;
            var path = Path.GetFullPath(Path.Combine(root, "..", "..", "..", "..", "..", "src", "ReplicaKeeper.Cli", "bin", configuration, "net10.0", "replicakeeper.dll"));
            return File.Exists(path) ? path : throw new FileNotFoundException("build src/ReplicaKeeper.Cli first", path);
        }
    }

    public static ReplicaKeeperCli Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var cli = new ReplicaKeeperCli(Process.Start(info)!);
        cli.Process.OutputDataReceived += (_, e) => Append(cli._output, e.Data);
        cli.Process.ErrorDataReceived += (_, e) => Append(cli._error, e.Data);
        cli.Process.BeginOutputReadLine();
        cli.Process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs to the end; a run longer than <paramref name="timeout"/> is killed and reported.</summary>
    public static async Task<ReplicaKeeperCli> RunAsync(TimeSpan timeout, params string[] args)
    {
        var cli = Start(args);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await cli.Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            cli.Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"replicakeeper {string.Join(' ', args.Take(2))} did not finish within {timeout}: {cli.Error}");
        }

        await cli.Process.WaitForExitAsync(); // drains the redirected output
        return cli;
    }

    /// <summary>kill -9: Process.Kill sends SIGKILL on Linux; nothing in the process runs after it.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}

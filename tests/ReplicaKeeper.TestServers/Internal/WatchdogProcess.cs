using System.Diagnostics;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// Runs a server under a tiny bash watchdog that is tied to this test process by a pipe (the watchdog's stdin).
/// The watchdog starts the server, writes its pid to <c>server.pid</c>, forwards signal names written to the pipe
/// ("TERM", "KILL") and SIGKILLs the server when the pipe reaches end of file: when this object is disposed, and
/// also when the test process dies for any reason (the kernel closes the pipe). It exits with the server's exit
/// status, so waiting for the watchdog is waiting for the server.
/// </summary>
internal sealed class WatchdogProcess : IDisposable
{
    private const string Script = """
        set -u
        pidfile=$1; log=$2; shift 3
        exec 3<&0 </dev/null >>"$log" 2>&1
        "$@" 3<&- &
        spid=$!
        echo "$spid" > "$pidfile"
        ( while read -r -u 3 sig; do kill -s "$sig" "$spid" 2>/dev/null; done; kill -s KILL "$spid" 2>/dev/null ) &
        wpid=$!
        exec 3<&-
        wait "$spid"; rc=$?
        kill "$wpid" 2>/dev/null
        exit $rc
        """;

    private readonly Process _process;
    private readonly string _pidFile;
    private bool _pipeClosed;

    private WatchdogProcess(Process process, string pidFile)
    {
        _process = process;
        _pidFile = pidFile;
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="command"/> under the watchdog; its output goes to <paramref name="logFile"/>.</summary>
    public static WatchdogProcess Start(string pidFile, string logFile, IReadOnlyList<string> command)
    {
        File.Delete(pidFile);
        var startInfo = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in new[] { "-c", Script, "rk-watchdog", pidFile, logFile, "--" }.Concat(command))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("bash did not start");
        return new WatchdogProcess(process, pidFile);
    }

    /// <summary>The server's pid once the watchdog has written it.</summary>
    public async Task<int> ServerProcessIdAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (File.Exists(_pidFile) && int.TryParse(await File.ReadAllTextAsync(_pidFile, cancellationToken), out var pid))
            {
                return pid;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new InvalidOperationException($"The server watchdog did not report a server pid in {_pidFile}.");
    }

    /// <summary>Asks the watchdog to send a signal ("TERM", "KILL") to the server.</summary>
    public async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        if (_pipeClosed || _process.HasExited)
        {
            return;
        }

        try
        {
            await _process.StandardInput.WriteLineAsync(signal.AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // the watchdog already exited
        }
    }

    /// <summary>Waits for the server (and its watchdog) to exit; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Closes the pipe, which makes the watchdog SIGKILL the server, exactly as if this process had died.</summary>
    public void ClosePipe()
    {
        if (_pipeClosed)
        {
            return;
        }

        _pipeClosed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // already closed by the other side
        }
    }

    /// <summary>Last resort when the watchdog does not react: kill it and everything below it.</summary>
    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    public void Dispose()
    {
        ClosePipe();
        _process.Dispose();
    }
}

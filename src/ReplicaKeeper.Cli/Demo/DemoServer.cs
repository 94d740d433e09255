using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// One throwaway MariaDB 10.11 instance of the demo: its own directory (datadir copied from the run's template,
/// socket, error log), a free port on 127.0.0.1, ROW binlogs with GTIDs as a production source would have.
/// The server runs under a small bash watchdog whose stdin is a pipe from this process: when the pipe closes
/// (dispose, or this process dies in any way) the watchdog SIGKILLs the server, so no server outlives the demo.
/// </summary>
internal sealed class DemoServer : IAsyncDisposable
{
    public const string AdminUser = "rk_admin";
    public const string AdminPassword = "rk-admin-secret";
    public const string ReplicationUser = "rk_repl";
    public const string ReplicationPassword = "rk-repl-secret";

    /// <summary>Starts the server; when its stdin closes, it is killed. Exits with the server's status.</summary>
    private const string WatchdogScript = """
        set -u
        pidfile=$1; log=$2; shift 3
        exec 3<&0 </dev/null >>"$log" 2>&1
        "$@" 3<&- &
        spid=$!
        echo "$spid" > "$pidfile"
        ( while read -r -u 3 _; do :; done; kill -s KILL "$spid" 2>/dev/null ) &
        wpid=$!
        exec 3<&-
        wait "$spid"; rc=$?
        kill "$wpid" 2>/dev/null
        exit $rc
        """;

    private readonly Process _watchdog;

    private DemoServer(string name, string directory, int port, uint serverId, Process watchdog)
    {
        Name = name;
        Directory = directory;
        Port = port;
        ServerId = serverId;
        _watchdog = watchdog;
    }

    /// <summary>"master", "standby" or "scratch".</summary>
    public string Name { get; }

    public string Directory { get; }

    public int Port { get; }

    public uint ServerId { get; }

    public string ErrorLogPath => Path.Combine(Directory, "error.log");

    public string AdminConnectionString => ConnectionString(AdminUser, AdminPassword);

    public string ReplicationConnectionString => ConnectionString(ReplicationUser, ReplicationPassword);

    /// <summary>Copies <paramref name="template"/> into <paramref name="directory"/>/data and starts a server on it (new port on a port race).</summary>
    public static async Task<DemoServer> StartAsync(string name, string template, string directory, uint serverId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            System.IO.Directory.CreateDirectory(directory);
            System.IO.Directory.CreateDirectory(Path.Combine(directory, "tmp"));
            var data = Path.Combine(directory, "data");
            if (System.IO.Directory.Exists(data))
            {
                System.IO.Directory.Delete(data, recursive: true);
            }

            await DemoProcess.RunAsync("cp", ["-a", template, data], null, ct);
            var port = FreePort();
            var watchdog = StartWatchdog(directory, CommandLine(directory, port, serverId));
            var server = new DemoServer(name, directory, port, serverId, watchdog);
            try
            {
                await server.WaitUntilReadyAsync(ct);
                return server;
            }
            catch (Exception) when (attempt < 5 && server.LostPortRace())
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Opens an admin connection (all privileges) over TCP.</summary>
    public async Task<MySqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(AdminConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the server (closing the watchdog's pipe) and waits until it is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _watchdog.StandardInput.Close();
        }
        catch (IOException)
        {
            // the watchdog is already gone
        }

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _watchdog.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _watchdog.Kill(entireProcessTree: true);
            await _watchdog.WaitForExitAsync(CancellationToken.None);
        }

        _watchdog.Dispose();
        MySqlConnection.ClearAllPools();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} (MariaDB on 127.0.0.1:{Port}, server id {ServerId})");

    private static List<string> CommandLine(string directory, int port, uint serverId)
    {
        List<string> arguments = [DemoInstallation.MariaDbd, "--no-defaults"];
        if (DemoInstallation.IsRoot)
        {
            arguments.Add("--user=root");
        }

        arguments.AddRange(
        [
            $"--datadir={directory}/data",
            $"--socket={directory}/s.sock",
            $"--tmpdir={directory}/tmp",
            $"--pid-file={directory}/data/mariadbd.pid",
            $"--log-error={directory}/error.log",
            string.Create(CultureInfo.InvariantCulture, $"--port={port}"),
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            string.Create(CultureInfo.InvariantCulture, $"--server-id={serverId}"),
            $"--log-bin={directory}/data/bin",
            "--binlog-format=ROW",
            "--binlog-checksum=CRC32",
            "--binlog-row-image=FULL",
            "--binlog-row-metadata=FULL",
            "--binlog-annotate-row-events=ON",
            "--gtid-strict-mode=ON",
            "--innodb-buffer-pool-size=64M",
            DemoTemplate.LogFileSize,
            "--max-allowed-packet=64M",
        ]);
        return arguments;
    }

    private static Process StartWatchdog(string directory, IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in new[] { "-c", WatchdogScript, "rk-demo-watchdog", Path.Combine(directory, "server.pid"), Path.Combine(directory, "watchdog.log"), "--" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        var probe = new MySqlConnectionStringBuilder(AdminConnectionString) { Pooling = false, ConnectionTimeout = 5 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_watchdog.HasExited)
            {
                throw new InvalidOperationException($"{this} exited while starting (code {_watchdog.ExitCode}). Last lines of {ErrorLogPath}:{Environment.NewLine}{DemoProcess.Tail(ErrorLogPath, 20)}");
            }

            if (await AnswersAsync(probe, ct))
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"{this} did not answer within 120 s. Last lines of {ErrorLogPath}:{Environment.NewLine}{DemoProcess.Tail(ErrorLogPath, 20)}");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>True when the server on our port is ours (answers with our server id).</summary>
    private async Task<bool> AnswersAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new MySqlCommand("SELECT @@server_id", connection);
            return Convert.ToUInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == ServerId;
        }
        catch (Exception e) when (e is MySqlException or IOException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    private bool LostPortRace() =>
        File.Exists(ErrorLogPath) && File.ReadAllText(ErrorLogPath).Contains("Address already in use", StringComparison.Ordinal);

    /// <summary>A port in 20000-32000 (below the ephemeral range) that nothing on 127.0.0.1 is bound to right now.</summary>
    private static int FreePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("No free TCP port on 127.0.0.1 in 20000-32000.");
    }

    private string ConnectionString(string user, string password) => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        UserID = user,
        Password = password,
        SslMode = MySqlSslMode.None,
        ConnectionTimeout = 15,
        DefaultCommandTimeout = 120,
    }.ConnectionString;
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.TestServers.Internal;

namespace ReplicaKeeper.TestServers;

/// <summary>
/// A throwaway MariaDB 10.11 or MySQL 9.7 server on 127.0.0.1 and a free port, in its own short directory, with
/// an admin account (all privileges, WITH GRANT OPTION) and a replication account (REPLICATION SLAVE,
/// REPLICATION CLIENT). Its binary log starts clean: bin.000001 holds only the server's header events and the GTID
/// state is empty (accounts come from a template made before binary logging existed).
/// The server runs under a watchdog tied to this test process, so it dies with the process even when
/// <see cref="DisposeAsync"/> is never reached. Dispose kills it (SIGKILL), waits, and deletes the directory.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    private readonly InstanceDirectory _directory;
    private readonly IReadOnlyList<string> _commandLine;
    private WatchdogProcess? _watchdog;
    private int _disposed;

    private TestServer(TestServerOptions options, InstanceDirectory directory, int port, uint serverId)
    {
        Options = options;
        _directory = directory;
        Port = port;
        ServerId = serverId;
        _commandLine = ServerCommandLine.For(options, directory, port, serverId);
        CaCertificatePath = options.Tls ? directory.Host("tls/" + TestCertificates.CaFileName) : null;
        AdminConnectionString = BuildConnectionString(AdminUser, AdminPassword);
        ReplicationConnectionString = BuildConnectionString(ReplicationUser, ReplicationPassword);
    }

    public ServerFlavor Flavor => Options.Flavor;

    public TestServerOptions Options { get; }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public uint ServerId { get; }

    /// <summary>Host path of the datadir.</summary>
    public string DataDirectory => _directory.Host("data");

    /// <summary>Host path of the directory holding bin.000001, bin.000002, ... and bin.index (the datadir).</summary>
    public string BinlogDirectory => DataDirectory;

    /// <summary>Host path of the instance directory (datadir, socket, error log, certificates).</summary>
    public string InstanceDirectory => _directory.HostPath;

    /// <summary>Host path of the server's unix socket.</summary>
    public string SocketPath => _directory.Host("s.sock");

    /// <summary>Host path of the server's error log.</summary>
    public string ErrorLogPath => _directory.Host("error.log");

    public string AdminUser => ServerAccounts.AdminUser;

    public string AdminPassword => ServerAccounts.AdminPassword;

    public string ReplicationUser => ServerAccounts.ReplicationUser;

    public string ReplicationPassword => ServerAccounts.ReplicationPassword;

    /// <summary>
    /// MySqlConnector connection string over TCP. TLS variant: SslMode=VerifyCA against <see cref="CaCertificatePath"/>;
    /// otherwise SslMode=Preferred (MySQL has auto-generated certificates, MariaDB then runs without TLS).
    /// AllowPublicKeyRetrieval=True for MySQL's caching_sha2_password over plain connections.
    /// </summary>
    public string AdminConnectionString { get; }

    public string ReplicationConnectionString { get; }

    /// <summary>TLS variant: the CA certificate (PEM, host path) that signed the server certificate for 127.0.0.1.</summary>
    public string? CaCertificatePath { get; }

    /// <summary>Pid of the mariadbd/mysqld process currently running (0 before the first start).</summary>
    public int ServerProcessId { get; private set; }

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _watchdog is { HasExited: false };

    /// <summary>Wall time <see cref="StartAsync"/> took (template copy, launch, first answered query).</summary>
    public TimeSpan StartDuration { get; private set; }

    /// <summary>Host path of one binlog file, e.g. <c>BinlogPath("bin.000001")</c>.</summary>
    public string BinlogPath(string fileName) => Path.Combine(BinlogDirectory, fileName);

    public static async Task<TestServer> StartAsync(TestServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ServerInstallation.EnsureAvailable(options.Flavor);
        StaleInstanceReaper.ReapOnce(options.Flavor);
        var stopwatch = Stopwatch.StartNew();
        var template = await ServerTemplates.GetDataDirectoryAsync(options.Flavor, ct);
        var directory = Internal.InstanceDirectory.Create(options.Flavor);
        try
        {
            if (options.Tls)
            {
                TestCertificates.WriteTo(directory.Host("tls"));
            }

            for (var attempt = 1; ; attempt++)
            {
                (await ProcessRunner.RunAsync("cp", ["-a", template, directory.Host("data")], null, ct)).EnsureSuccess("cp -a (template datadir)");
                var server = new TestServer(options, directory, PortAllocator.Reserve(), ServerIds.Next());
                try
                {
                    await server.LaunchAsync(ct);
                    server.StartDuration = stopwatch.Elapsed;
                    return server;
                }
                catch (PortInUseException) when (attempt < 5)
                {
                    // another process bound the port between our probe and the server's bind: fresh datadir, new port
                    await server.StopProcessAsync(CancellationToken.None);
                    PortAllocator.Release(server.Port);
                    await Internal.InstanceDirectory.DeleteTreeAsync(directory.Host("data"));
                    File.Delete(directory.Host("error.log"));
                }
                catch
                {
                    await server.StopProcessAsync(CancellationToken.None);
                    PortAllocator.Release(server.Port);
                    throw;
                }
            }
        }
        catch
        {
            await directory.DeleteAsync();
            throw;
        }
    }

    public async Task<MySqlConnection> OpenAdminConnectionAsync(CancellationToken ct = default)
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

    /// <summary>Runs SQL (one or more statements) on a fresh admin connection.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAdminConnectionAsync(ct);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>First column of the first row (default when none or NULL), converted to <typeparamref name="T"/>.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken ct = default)
    {
        await using var connection = await OpenAdminConnectionAsync(ct);
        await using var command = new MySqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        if (value is null or DBNull)
        {
            return default;
        }

        if (value is T typed)
        {
            return typed;
        }

        if (value is byte[] bytes && typeof(T) == typeof(string))
        {
            return (T)(object)Encoding.UTF8.GetString(bytes);
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <summary>File names from SHOW BINARY LOGS, oldest first.</summary>
    public async Task<IReadOnlyList<string>> BinlogFilesAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAdminConnectionAsync(ct);
        await using var command = new MySqlCommand("SHOW BINARY LOGS", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var files = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            files.Add(reader.GetString(0));
        }

        return files;
    }

    /// <summary>Feeds <paramref name="sql"/> to the mariadb / mysql command-line client as root over the unix socket (batch output).</summary>
    public Task<ProcessResult> RunClientAsync(string sql, CancellationToken ct = default) => RunClientAsync(sql, [], ct);

    /// <summary>As <see cref="RunClientAsync(string, CancellationToken)"/> with extra client options (e.g. "--force", "-N", a database name).</summary>
    public Task<ProcessResult> RunClientAsync(string sql, IReadOnlyList<string> extraArguments, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(extraArguments);
        IEnumerable<string> command = Flavor == ServerFlavor.MySql
            ? [ServerInstallation.Chroot, ServerInstallation.MySqlChroot, "/usr/bin/mysql", "--no-defaults", "-S", _directory.Server("s.sock"), "-uroot", .. extraArguments]
            : [ServerInstallation.MariaDbClient, "--no-defaults", "-S", _directory.Server("s.sock"), "-uroot", .. extraArguments];
        return ProcessRunner.RunAsync(command.First(), command.Skip(1), sql, ct);
    }

    /// <summary>
    /// Loads one named time zone (e.g. "Europe/Berlin") into the server's mysql.time_zone* tables, which test servers
    /// start without, with the flavour's own tzinfo-to-sql tool; not written to the binlog.
    /// </summary>
    public async Task LoadTimeZoneAsync(string zone, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zone);
        var zoneFile = "/usr/share/zoneinfo/" + zone;
        var tool = Flavor == ServerFlavor.MySql
            ? await ProcessRunner.RunAsync(ServerInstallation.Chroot, [ServerInstallation.MySqlChroot, "/usr/bin/mysql_tzinfo_to_sql", zoneFile, zone], null, ct)
            : await ProcessRunner.RunAsync("mariadb-tzinfo-to-sql", [zoneFile, zone], null, ct);
        tool.EnsureSuccess("tzinfo-to-sql " + zone);
        (await RunClientAsync("SET sql_log_bin = 0;\n" + tool.StandardOutput, ["mysql"], ct)).EnsureSuccess("loading time zone " + zone);
    }

    /// <summary>
    /// Runs mariadb-binlog (host) or mysqlbinlog (inside the chroot) with <c>--no-defaults</c> and
    /// <paramref name="args"/>. For MySQL, host paths under the chroot are translated to the chroot's view, and
    /// existing files outside it are copied into the instance directory first.
    /// </summary>
    public async Task<ProcessResult> RunBinlogToolAsync(IReadOnlyList<string> args, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (Flavor == ServerFlavor.MariaDb)
        {
            return await ProcessRunner.RunAsync(ServerInstallation.MariaDbBinlog, ["--no-defaults", .. args], null, ct);
        }

        var translated = new List<string> { ServerInstallation.MySqlChroot, "/usr/bin/mysqlbinlog", "--no-defaults" };
        for (var i = 0; i < args.Count; i++)
        {
            translated.Add(await VisibleInChrootAsync(args[i], i, ct));
        }

        return await ProcessRunner.RunAsync(ServerInstallation.Chroot, translated, null, ct);
    }

    /// <summary>
    /// The reference point-in-time replay: <c>mariadb-binlog ARGS | mariadb</c> (MySQL: <c>mysqlbinlog ARGS | mysql</c>
    /// inside the chroot) into this server as root, as one stream (bytes are piped, never decoded as text).
    /// <paramref name="binlogToolArgs"/> are translated as in <see cref="RunBinlogToolAsync"/>; the binlog files must
    /// come from a server of the same flavour. The result carries the client's exit code and both tools' stderr.
    /// </summary>
    public async Task<ProcessResult> ReplayBinlogAsync(IReadOnlyList<string> binlogToolArgs, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(binlogToolArgs);
        List<string> tool;
        List<string> client;
        if (Flavor == ServerFlavor.MariaDb)
        {
            tool = [ServerInstallation.MariaDbBinlog, "--no-defaults", .. binlogToolArgs];
            client = [ServerInstallation.MariaDbClient, "--no-defaults", "-S", _directory.Server("s.sock"), "-uroot"];
        }
        else
        {
            tool = [ServerInstallation.Chroot, ServerInstallation.MySqlChroot, "/usr/bin/mysqlbinlog", "--no-defaults"];
            for (var i = 0; i < binlogToolArgs.Count; i++)
            {
                tool.Add(await VisibleInChrootAsync(binlogToolArgs[i], i, ct));
            }

            client = [ServerInstallation.Chroot, ServerInstallation.MySqlChroot, "/usr/bin/mysql", "--no-defaults", "-S", _directory.Server("s.sock"), "-uroot"];
        }

        var pipeline = "set -o pipefail; " + ShellQuote(tool) + " | " + ShellQuote(client);
        return await ProcessRunner.RunAsync("/bin/bash", ["-c", pipeline], null, ct);
    }

    /// <summary>SIGKILL: no shutdown, InnoDB and the binlog recover on the next start.</summary>
    public async Task KillAsync(CancellationToken ct = default)
    {
        var watchdog = _watchdog ?? throw new InvalidOperationException("The server is not running.");
        await watchdog.SignalAsync("KILL", ct);
        await WaitForExitOrKillAsync(watchdog, ct);
    }

    /// <summary>Clean shutdown (SIGTERM), waiting until the process is gone.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        var watchdog = _watchdog ?? throw new InvalidOperationException("The server is not running.");
        await watchdog.SignalAsync("TERM", ct);
        await WaitForExitOrKillAsync(watchdog, ct);
    }

    /// <summary>Starts the server again after <see cref="KillAsync"/> or <see cref="StopAsync"/>: same datadir, port and server id.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_watchdog is not null)
        {
            throw new InvalidOperationException("The server is still running; kill or stop it first.");
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync(ct);
                return;
            }
            catch (PortInUseException) when (attempt < 10)
            {
                // the old socket may linger for a moment; the port must stay the same
                await StopProcessAsync(ct);
                await Task.Delay(500, ct);
            }
        }
    }

    /// <summary>Kills the server (SIGKILL), waits for it to exit and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopProcessAsync(CancellationToken.None);
        PortAllocator.Release(Port);
        await _directory.DeleteAsync();
    }

    public override string ToString() => $"{Flavor} test server on {Host}:{Port} ({InstanceDirectory})";

    /// <summary>Closes the watchdog pipe exactly as a dying test process would (tests of the watchdog only).</summary>
    internal void SimulateOwnerDeath() => _watchdog?.ClosePipe();

    private async Task LaunchAsync(CancellationToken ct)
    {
        var logOffset = File.Exists(ErrorLogPath) ? new FileInfo(ErrorLogPath).Length : 0;
        _watchdog = WatchdogProcess.Start(_directory.Host(Internal.InstanceDirectory.ServerPidFileName), _directory.Host("watchdog.log"), _commandLine);
        ServerProcessId = await _watchdog.ServerProcessIdAsync(ct);
        await WaitUntilReadyAsync(_watchdog, logOffset, ct);
    }

    private async Task WaitUntilReadyAsync(WatchdogProcess watchdog, long logOffset, CancellationToken ct)
    {
        var probe = new MySqlConnectionStringBuilder(AdminConnectionString) { Pooling = false, ConnectionTimeout = 5 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (watchdog.HasExited)
            {
                var log = ReadErrorLog(logOffset);
                if (log.Contains("Address already in use", StringComparison.Ordinal))
                {
                    throw new PortInUseException($"Port {Port} is in use.");
                }

                throw new InvalidOperationException(
                    $"{this} exited with code {watchdog.ExitCode} while starting. Last lines of {ErrorLogPath}:{Environment.NewLine}{Tail(log)}");
            }

            if (await AnswersAsOurselvesAsync(probe, ct))
            {
                return;
            }

            if (deadline.Elapsed > Options.StartTimeout)
            {
                await StopProcessAsync(ct);
                throw new TimeoutException(
                    $"{this} did not answer within {Options.StartTimeout.TotalSeconds:0} s. Last lines of {ErrorLogPath}:{Environment.NewLine}{Tail(ReadErrorLog(logOffset))}");
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>True when the server on our port answers with our server id (not some other process's server).</summary>
    private async Task<bool> AnswersAsOurselvesAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new MySqlCommand("SELECT @@server_id", connection);
            var id = Convert.ToUInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            return id == ServerId;
        }
        catch (Exception e) when (e is MySqlException or IOException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    private async Task WaitForExitOrKillAsync(WatchdogProcess watchdog, CancellationToken ct)
    {
        if (!await watchdog.WaitForExitAsync(ExitTimeout, ct))
        {
            watchdog.KillTree();
            await watchdog.WaitForExitAsync(ExitTimeout, ct);
        }

        await ForgetProcessAsync();
    }

    /// <summary>Kills the process if it runs (closing the watchdog pipe), waits, and forgets it.</summary>
    private async Task StopProcessAsync(CancellationToken ct)
    {
        var watchdog = _watchdog;
        if (watchdog is null)
        {
            return;
        }

        watchdog.ClosePipe();
        await WaitForExitOrKillAsync(watchdog, ct);
    }

    private async Task ForgetProcessAsync()
    {
        _watchdog?.Dispose();
        _watchdog = null;

        // the watchdog reaps the server; this only matters if the watchdog itself was killed
        if (ServerProcessId != 0
            && ProcessIdentity.ReadCommandLine(ServerProcessId) is { } commandLine
            && commandLine.Contains(_directory.ServerPath + "/", StringComparison.Ordinal))
        {
            try
            {
                using var orphan = Process.GetProcessById(ServerProcessId);
                orphan.Kill();
                await orphan.WaitForExitAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // already gone
            }
        }

        // pooled connections point at the dead process
        await MySqlConnection.ClearPoolAsync(new MySqlConnection(AdminConnectionString));
        await MySqlConnection.ClearPoolAsync(new MySqlConnection(ReplicationConnectionString));
    }

    private async Task<string> VisibleInChrootAsync(string argument, int index, CancellationToken ct)
    {
        var chrootPrefix = ServerInstallation.MySqlChroot + "/";
        if (argument.Contains(chrootPrefix, StringComparison.Ordinal))
        {
            return Internal.InstanceDirectory.ToServerPath(argument);
        }

        if (argument.StartsWith('/') && File.Exists(argument))
        {
            var relative = string.Create(CultureInfo.InvariantCulture, $"transfer/{index}/{Path.GetFileName(argument)}");
            Directory.CreateDirectory(Path.GetDirectoryName(_directory.Host(relative))!);
            await using (var source = File.OpenRead(argument))
            await using (var target = File.Create(_directory.Host(relative)))
            {
                await source.CopyToAsync(target, ct);
            }

            return _directory.Server(relative);
        }

        return argument;
    }

    private static string ShellQuote(IEnumerable<string> words) =>
        string.Join(' ', words.Select(w => "'" + w.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

    private string BuildConnectionString(string user, string password)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = Host,
            Port = (uint)Port,
            UserID = user,
            Password = password,
            AllowPublicKeyRetrieval = true,
            SslMode = Options.Tls ? MySqlSslMode.VerifyCA : MySqlSslMode.Preferred,
            ConnectionTimeout = 15,
            DefaultCommandTimeout = 120,
        };
        if (CaCertificatePath is not null)
        {
            builder.SslCa = CaCertificatePath;
        }

        return builder.ConnectionString;
    }

    private string ReadErrorLog(long offset)
    {
        try
        {
            using var stream = new FileStream(ErrorLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            var watchdogLog = _directory.Host("watchdog.log");
            return File.Exists(watchdogLog) ? File.ReadAllText(watchdogLog) : "(no error log written)";
        }
    }

    private static string Tail(string log)
    {
        var lines = log.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 40)));
    }
}

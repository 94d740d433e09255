using System.Globalization;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// One initialized data directory per flavour and machine, copied (<c>cp -a</c>) for every instance: initializing
/// costs ~1.5 s (MariaDB) and ~5 s (MySQL), a copy ~0.1 s. A template holds the system tables and the admin and
/// replication accounts, and no binary log at all, so every instance starts with a fresh bin.000001 whose only
/// content is the server's own header events (no setup transactions, empty GTID state). MySQL's auto.cnf is not
/// kept, so each copy generates its own server_uuid.
/// Templates are keyed by the server binary (size + mtime) and <see cref="Revision"/>; building one is guarded by a
/// lock file, so parallel test processes build it once.
/// </summary>
internal static class ServerTemplates
{
    /// <summary>Bump when the template recipe changes (options that are fixed at initialization).</summary>
    private const int Revision = 1;

    /// <summary>InnoDB redo size used at initialization and at every start (a change would be a slow resize).</summary>
    public const string MariaDbLogFileSize = "--innodb-log-file-size=32M";

    public const string MySqlRedoCapacity = "--innodb-redo-log-capacity=32M";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<ServerFlavor, string> Ready = [];

    /// <summary>Host path of the template's data directory for <paramref name="flavor"/>, building it if needed.</summary>
    public static async Task<string> GetDataDirectoryAsync(ServerFlavor flavor, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (!Ready.TryGetValue(flavor, out var path))
            {
                path = await EnsureBuiltAsync(flavor, cancellationToken);
                Ready[flavor] = path;
            }

            return path;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string RootFor(ServerFlavor flavor)
    {
        if (flavor == ServerFlavor.MySql)
        {
            return Path.Combine(ServerInstallation.MySqlChroot, "rk-templates");
        }

        return ServerInstallation.IsRoot
            ? "/var/cache/replicakeeper/templates"
            : Path.Combine(Path.GetTempPath(), "replicakeeper-templates");
    }

    private static string NameFor(ServerFlavor flavor)
    {
        var binary = new FileInfo(flavor == ServerFlavor.MySql ? ServerInstallation.MySqldOnHost : ServerInstallation.MariaDbd);
        var prefix = flavor == ServerFlavor.MySql ? "mysql" : "mariadb";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{prefix}-r{Revision}-{binary.Length}-{new DateTimeOffset(binary.LastWriteTimeUtc).ToUnixTimeSeconds()}");
    }

    private static async Task<string> EnsureBuiltAsync(ServerFlavor flavor, CancellationToken cancellationToken)
    {
        var root = RootFor(flavor);
        var name = NameFor(flavor);
        var final = Path.Combine(root, name);
        var ready = Path.Combine(final, "ready");
        if (File.Exists(ready))
        {
            return Path.Combine(final, "data");
        }

        Directory.CreateDirectory(root);
        using var fileLock = await AcquireLockAsync(Path.Combine(root, ".lock"), cancellationToken);
        if (File.Exists(ready))
        {
            return Path.Combine(final, "data");
        }

        // remove leftovers: older recipes or binaries, and builds that died half-way
        foreach (var stale in Directory.EnumerateDirectories(root))
        {
            await InstanceDirectory.DeleteTreeAsync(stale);
        }

        var building = Path.Combine(root, name + ".building");
        Directory.CreateDirectory(building);
        if (flavor == ServerFlavor.MySql)
        {
            await BuildMySqlAsync(building, cancellationToken);
        }
        else
        {
            await BuildMariaDbAsync(building, cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(building, "ready"), name, cancellationToken);
        Directory.Move(building, final);
        return Path.Combine(final, "data");
    }

    private static async Task BuildMariaDbAsync(string directory, CancellationToken cancellationToken)
    {
        var data = Path.Combine(directory, "data");
        // a private tmpdir: the bootstrap's temporary tables never share /tmp with other servers or cleaners
        var tmp = Directory.CreateDirectory(Path.Combine(directory, "tmp")).FullName;
        List<string> userOption = ServerInstallation.IsRoot ? ["--user=root"] : [];
        (await ProcessRunner.RunAsync(
            ServerInstallation.MariaDbInstallDb,
            ["--no-defaults", $"--datadir={data}", $"--tmpdir={tmp}", .. userOption, "--auth-root-authentication-method=normal", "--skip-test-db", MariaDbLogFileSize],
            null,
            cancellationToken)).EnsureSuccess("mariadb-install-db (template)");

        // --bootstrap runs without grant tables loaded and without a binary log; FLUSH PRIVILEGES loads them
        (await ProcessRunner.RunAsync(
            ServerInstallation.MariaDbd,
            ["--no-defaults", .. userOption, $"--datadir={data}", $"--tmpdir={tmp}", "--bootstrap", MariaDbLogFileSize],
            "FLUSH PRIVILEGES;\n" + ServerAccounts.CreateUsersSql,
            cancellationToken)).EnsureSuccess("mariadbd --bootstrap (template accounts)");
    }

    private static async Task BuildMySqlAsync(string hostDirectory, CancellationToken cancellationToken)
    {
        var serverDirectory = InstanceDirectory.ToServerPath(hostDirectory);
        Directory.CreateDirectory(Path.Combine(hostDirectory, "tmp"));
        await File.WriteAllTextAsync(Path.Combine(hostDirectory, "accounts.sql"), ServerAccounts.CreateUsersSql, cancellationToken);

        // --initialize runs the init file after creating the system tables, with binary logging off
        (await ProcessRunner.RunAsync(
            ServerInstallation.Chroot,
            [
                ServerInstallation.MySqlChroot, "/usr/sbin/mysqld", "--no-defaults", "--user=root", "--initialize-insecure",
                $"--datadir={serverDirectory}/data", $"--tmpdir={serverDirectory}/tmp", MySqlRedoCapacity, $"--init-file={serverDirectory}/accounts.sql",
            ],
            null,
            cancellationToken)).EnsureSuccess("mysqld --initialize-insecure (template)");

        File.Delete(Path.Combine(hostDirectory, "accounts.sql"));
        File.Delete(Path.Combine(hostDirectory, "data", "auto.cnf"));
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Linux; the kernel drops it if this process dies
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}

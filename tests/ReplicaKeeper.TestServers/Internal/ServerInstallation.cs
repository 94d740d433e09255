namespace ReplicaKeeper.TestServers.Internal;

/// <summary>Where the server binaries live, and a clear failure when they are missing.</summary>
internal static class ServerInstallation
{
    private const string InstallHint =
        "Run `sudo bash scripts/install-servers.sh` from the repository root (it installs MariaDB 10.11 and builds the MySQL 9.7 chroot once per machine).";

    /// <summary>Root of the Debian sid chroot holding MySQL 9.7 (env RK_MYSQL_CHROOT, as in install-servers.sh).</summary>
    public static string MySqlChroot { get; } =
        Environment.GetEnvironmentVariable("RK_MYSQL_CHROOT") is { Length: > 0 } root
            ? root.TrimEnd('/')
            : "/var/cache/replicakeeper/mysql-sid";

    /// <summary>True when this process runs as root (mariadbd then needs --user=root; chroot needs root).</summary>
    public static bool IsRoot { get; } = Environment.UserName == "root";

    public static string MariaDbd => Find("mariadbd");

    public static string MariaDbInstallDb => Find("mariadb-install-db");

    public static string MariaDbClient => Find("mariadb");

    public static string MariaDbBinlog => Find("mariadb-binlog");

    /// <summary>Path of mysqld as seen on the host (inside the chroot directory).</summary>
    public static string MySqldOnHost => Path.Combine(MySqlChroot, "usr/sbin/mysqld");

    public static string Chroot => File.Exists("/usr/sbin/chroot") ? "/usr/sbin/chroot" : Find("chroot");

    /// <summary>Throws with the install hint when the servers of <paramref name="flavor"/> cannot run here.</summary>
    public static void EnsureAvailable(ServerFlavor flavor)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ReplicaKeeper's test servers run on Linux only.");
        }

        if (flavor == ServerFlavor.MariaDb)
        {
            foreach (var tool in new[] { "mariadbd", "mariadb-install-db", "mariadb", "mariadb-binlog" })
            {
                if (TryFind(tool) is null)
                {
                    throw new InvalidOperationException($"MariaDB test server: `{tool}` is not installed. {InstallHint}");
                }
            }

            return;
        }

        if (!IsRoot)
        {
            throw new InvalidOperationException($"MySQL test server: running mysqld inside the chroot {MySqlChroot} needs root. Run the tests as root. {InstallHint}");
        }

        EnsureMySqlChroot(MySqlChroot);
    }

    /// <summary>Throws with the install hint unless <paramref name="root"/> holds mysqld, mysql and mysqlbinlog.</summary>
    internal static void EnsureMySqlChroot(string root)
    {
        foreach (var inner in new[] { "usr/sbin/mysqld", "usr/bin/mysql", "usr/bin/mysqlbinlog" })
        {
            if (!File.Exists(Path.Combine(root, inner)))
            {
                throw new InvalidOperationException($"MySQL test server: /{inner} is missing in the chroot {root}. {InstallHint}");
            }
        }
    }

    private static string Find(string tool) =>
        TryFind(tool) ?? throw new InvalidOperationException($"`{tool}` is not installed. {InstallHint}");

    private static string? TryFind(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var directories = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]);
        return directories.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
    }
}

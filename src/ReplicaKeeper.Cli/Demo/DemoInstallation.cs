namespace ReplicaKeeper.Cli.Demo;

/// <summary>Where the MariaDB binaries are (installed by scripts/install-servers.sh).</summary>
internal static class DemoInstallation
{
    public static string MariaDbd { get; } = Find("mariadbd", "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");

    public static string MariaDbInstallDb { get; } = Find("mariadb-install-db", "/usr/bin", "/usr/local/bin", "/usr/sbin");

    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>A clear message when MariaDB is missing, null when everything is there.</summary>
    public static string? Problem()
    {
        var missing = new[] { MariaDbd, MariaDbInstallDb }.Where(p => !File.Exists(p)).ToList();
        return missing.Count == 0
            ? null
            : $"MariaDB 10.11 is not installed ({string.Join(", ", missing.Select(Path.GetFileName))} not found); run `sudo bash scripts/install-servers.sh` first, or `bash scripts/demo.sh`, which does it.";
    }

    private static string Find(string name, params string[] directories)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':', StringSplitOptions.RemoveEmptyEntries) ?? [];
        foreach (var directory in directories.Concat(path))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(directories[0], name);
    }
}

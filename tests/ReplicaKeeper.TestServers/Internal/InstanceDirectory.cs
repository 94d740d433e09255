using System.Globalization;
using System.Security.Cryptography;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// The short per-instance directory: <c>/tmp/rk/ID</c> for MariaDB, <c>CHROOT/rk/ID</c> for MySQL (seen by the
/// server as <c>/rk/ID</c>). Holds data/ (datadir and binlogs), s.sock, error.log, tls/, and two bookkeeping files:
/// <c>owner</c> (pid + start time of the test process) and <c>server.pid</c> (written by the watchdog), which
/// <see cref="StaleInstanceReaper"/> uses to clean up after a test host that died.
/// </summary>
internal sealed class InstanceDirectory
{
    public const string OwnerFileName = "owner";
    public const string ServerPidFileName = "server.pid";

    private InstanceDirectory(ServerFlavor flavor, string id)
    {
        Flavor = flavor;
        Id = id;
        HostPath = Path.Combine(RootFor(flavor), id);
        ServerPath = flavor == ServerFlavor.MySql ? "/rk/" + id : HostPath;
    }

    public ServerFlavor Flavor { get; }

    public string Id { get; }

    /// <summary>The directory as the test process sees it.</summary>
    public string HostPath { get; }

    /// <summary>The directory as the server process sees it (inside the chroot for MySQL).</summary>
    public string ServerPath { get; }

    public static string RootFor(ServerFlavor flavor) =>
        flavor == ServerFlavor.MySql ? Path.Combine(ServerInstallation.MySqlChroot, "rk") : "/tmp/rk";

    public static InstanceDirectory Create(ServerFlavor flavor)
    {
        Directory.CreateDirectory(RootFor(flavor));
        while (true)
        {
            var directory = new InstanceDirectory(flavor, NewId());
            if (Directory.Exists(directory.HostPath))
            {
                continue;
            }

            Directory.CreateDirectory(directory.HostPath);
            File.WriteAllText(Path.Combine(directory.HostPath, OwnerFileName), ProcessIdentity.Current.ToString());
            return directory;
        }
    }

    /// <summary>Host path of a file given relative to the instance directory.</summary>
    public string Host(string relative) => Path.Combine(HostPath, relative);

    /// <summary>Server-side path of a file given relative to the instance directory.</summary>
    public string Server(string relative) => ServerPath + "/" + relative;

    /// <summary>Translates a host path under the MySQL chroot to the path the chroot'ed tools see.</summary>
    public static string ToServerPath(string hostPath)
    {
        var prefix = ServerInstallation.MySqlChroot + "/";
        return hostPath.Replace(prefix, "/", StringComparison.Ordinal);
    }

    public int? ReadServerProcessId() => ReadServerProcessId(HostPath);

    public static int? ReadServerProcessId(string hostPath)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(hostPath, ServerPidFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public Task DeleteAsync() => DeleteTreeAsync(HostPath);

    public static async Task DeleteTreeAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 20)
            {
                // a server that just died may still be closing files
                await Task.Delay(100);
            }
        }
    }

    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, 8);
    }
}

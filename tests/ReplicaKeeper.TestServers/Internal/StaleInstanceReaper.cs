namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// Once per test process: removes instance directories whose owning test process is gone (a test host that was
/// killed), killing their server first if the watchdog did not already. Directories without an owner file were not
/// made by this library and are left alone.
/// </summary>
internal static class StaleInstanceReaper
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<ServerFlavor> Done = [];

    public static void ReapOnce(ServerFlavor flavor)
    {
        lock (Gate)
        {
            if (!Done.Add(flavor))
            {
                return;
            }
        }

        Reap(flavor);
    }

    /// <summary>One pass over the instance root of <paramref name="flavor"/>.</summary>
    public static void Reap(ServerFlavor flavor)
    {
        var root = InstanceDirectory.RootFor(flavor);
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            try
            {
                ReapIfStale(directory);
            }
            catch (IOException)
            {
                // another process is reaping the same directory
            }
            catch (UnauthorizedAccessException)
            {
                // not ours to clean
            }
        }
    }

    private static void ReapIfStale(string directory)
    {
        // only directories this library made carry an owner file; anything else in the root is not ours
        var ownerFile = Path.Combine(directory, InstanceDirectory.OwnerFileName);
        if (!File.Exists(ownerFile) || ProcessIdentity.TryParse(File.ReadAllText(ownerFile)) is { IsAlive: true })
        {
            return;
        }

        if (InstanceDirectory.ReadServerProcessId(directory) is { } pid
            && ProcessIdentity.ReadCommandLine(pid) is { } commandLine
            && commandLine.Contains("/" + Path.GetFileName(directory) + "/", StringComparison.Ordinal))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // already gone
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }

        Directory.Delete(directory, recursive: true);
    }
}

using System.Globalization;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>A process id plus its start time (from /proc), so a recycled pid is not mistaken for the owner.</summary>
internal readonly record struct ProcessIdentity(int ProcessId, ulong StartTicks)
{
    public static ProcessIdentity Current { get; } = new(Environment.ProcessId, ReadStartTicks(Environment.ProcessId) ?? 0);

    public bool IsAlive => ReadStartTicks(ProcessId) is { } ticks && ticks == StartTicks;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ProcessId} {StartTicks}");

    public static ProcessIdentity? TryParse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new ProcessIdentity(pid, ticks)
            : null;
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks since boot); null when the process is gone or a zombie.</summary>
    public static ulong? ReadStartTicks(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z" || fields[0] == "X")
            {
                return null;
            }

            return ulong.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True when a live (non-zombie) process with this pid exists.</summary>
    public static bool Exists(int processId) => ReadStartTicks(processId) is not null;

    /// <summary>The NUL-separated command line of a process joined by spaces, or null when it is gone.</summary>
    public static string? ReadCommandLine(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

namespace ReplicaKeeper.Cli.Configuration;

/// <summary>Reads a secret (password, key) from a file that only its owner may read.</summary>
public static class SecretFile
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Null when the file is fine; otherwise why it is refused.</summary>
    public static string? Problem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return $"the secret file {path} does not exist";
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                return $"the secret file {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); run `chmod 600 {path}`";
            }
        }

        return null;
    }

    /// <summary>The file's text without a trailing newline. Call <see cref="Problem"/> first.</summary>
    public static string Read(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');
}

namespace ReplicaKeeper.TestServers;

/// <summary>Exit code and captured output of a finished helper process (client, binlog tool).</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws when the process failed, with its output in the message.</summary>
    public ProcessResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{what} exited with code {ExitCode}.{Environment.NewLine}stderr: {StandardError}{Environment.NewLine}stdout: {Tail(StandardOutput)}");
        }

        return this;
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];
}

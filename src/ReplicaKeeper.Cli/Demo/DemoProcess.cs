using System.Diagnostics;
using System.Globalization;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>Runs a helper program (cp, mariadb-install-db) to completion and fails with its output when it fails.</summary>
internal static class DemoProcess
{
    public static async Task RunAsync(string program, IEnumerable<string> arguments, string? input, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            var text = (await output) + (await error);
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(program)} failed with exit code {process.ExitCode}:{Environment.NewLine}{LastLines(text, 20)}"));
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of a file ("(missing)" when it does not exist).</summary>
    public static string Tail(string path, int lines) =>
        File.Exists(path) ? LastLines(File.ReadAllText(path), lines) : "(missing)";

    private static string LastLines(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;
using ReplicaKeeper.Archive.Offsite;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Offsite;

/// <summary>
/// npm s3rver (installed by scripts/install-servers.sh) on a free loopback port in a temp directory, with
/// one bucket. It runs under a small shell that kills it when the test process goes away (its stdin
/// closes), so a crashed test run leaves nothing behind. Credentials are s3rver's fixed S3RVER/S3RVER.
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    public const string Executable = "/var/cache/replicakeeper/s3rver/node_modules/.bin/s3rver";
    public const string Bucket = "rk-offsite";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rk-s3-" + Guid.NewGuid().ToString("N")[..10]);
    private Process? _process;

    public string ServiceUrl { get; private set; } = "";

    public S3OffsiteOptions Options(string prefix) => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = Bucket,
        Prefix = prefix,
        Credentials = new S3Credentials("S3RVER", "S3RVER"),
    };

    public S3OffsiteStore Store(string prefix) => new(Options(prefix));

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"s3rver is not installed at {Executable}; run scripts/install-servers.sh (needs npm)");
        }

        Directory.CreateDirectory(_directory);
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", "\"$0\" -d \"$1\" -a 127.0.0.1 -p 0 --configure-bucket \"$2\" & pid=$!; trap 'kill $pid 2>/dev/null' EXIT; read -r _; exit 0", Executable, _directory, Bucket })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start s3rver");
        _ = _process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await _process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("s3rver exited before it listened");
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                ServiceUrl = $"http://127.0.0.1:{match.Groups[1].Value}";
                break;
            }
        }

        // keep draining its request log so it never blocks on a full pipe
        _ = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
    }

    public async Task DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                process.StandardInput.Close(); // the shell kills s3rver and exits
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"listening on [\d.]+:(\d+)")]
    private static partial Regex ListeningLine();
}

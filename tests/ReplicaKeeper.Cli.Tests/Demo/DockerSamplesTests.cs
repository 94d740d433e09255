using System.CommandLine;
using System.Text.RegularExpressions;
using ReplicaKeeper.Cli.Configuration;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Demo;

/// <summary>
/// The shipped samples stay in step with the code: docker/replicakeeper/replicakeeper.json loads with the daemon's
/// own config loader (every key known and valid), and scripts/failover-example.sh passes only options that
/// <c>promote</c> has.
/// </summary>
public sealed partial class DockerSamplesTests : IDisposable
{
    private readonly string _secrets = Directory.CreateTempSubdirectory("rk-docker-secrets-").FullName;

    [Fact]
    public void Docker_daemon_config_loads_with_the_daemons_loader()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // the compose secrets under /run/secrets, here as mode-600 files of this test
            ["REPLICAKEEPER__SOURCE__PASSWORDFILE"] = Secret("replication_password", "change-me-replication"),
            ["REPLICAKEEPER__STANDBY__PASSWORDFILE"] = Secret("standby_password", "change-me-standby"),
            ["REPLICAKEEPER__ARCHIVE__KEYFILE"] = Secret("archive_key", Convert.ToBase64String(new byte[32])),
            ["REPLICAKEEPER__NOTIFICATIONS__SMTP__PASSWORDFILE"] = Secret("smtp_password", "smtp secret"),
        };

        DaemonConfig config;
        try
        {
            config = DaemonConfigLoader.Load(Path.Combine(RepositoryRoot(), "docker", "replicakeeper", "replicakeeper.json"), environment);
        }
        catch (DaemonConfigException e)
        {
            Assert.Fail("docker/replicakeeper/replicakeeper.json does not load: " + e.Message);
            return;
        }

        using var key = config.Archive.Key;
        Assert.Equal("master", config.Source.Connection.Host);
        Assert.Equal("change-me-replication", config.Source.Connection.Password);
        Assert.Equal("/var/lib/replicakeeper/archive", config.Archive.Directory);
        Assert.NotNull(config.Archive.Key);
        Assert.Contains("server=standby", config.Standby?.ConnectionStringWithSecret, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(TimeSpan.FromHours(24), config.Snapshots?.Interval);
        Assert.Equal(9187, config.Http.Port);
        Assert.StartsWith("/var/lib/replicakeeper/", config.Logging.Directory, StringComparison.Ordinal);
        Assert.StartsWith("/var/lib/replicakeeper/", config.StateDirectory, StringComparison.Ordinal);
        Assert.Equal("smtp.example.org", config.Notifications.Smtp?.Host);
    }

    [Fact]
    public void Failover_example_passes_only_options_that_promote_has()
    {
        var script = File.ReadAllText(Path.Combine(RepositoryRoot(), "scripts", "failover-example.sh"));
        var promote = Program.BuildRootCommand().Subcommands.Single(c => c.Name == "promote");
        var known = promote.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);

        var used = OptionInArguments().Matches(script).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("--standby", used);
        Assert.Contains("--archive", used);
        Assert.DoesNotContain(used, o => !known.Contains(o));
    }

    public void Dispose() => Directory.Delete(_secrets, recursive: true);

    private string Secret(string name, string value)
    {
        var path = Path.Combine(_secrets, name);
        File.WriteAllText(path, value + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReplicaKeeper.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReplicaKeeper.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>An option at the start of an argument line or after args+=( in the script.</summary>
    [GeneratedRegex(@"(?m)(?:^\s+|args\+=\()(--[a-z][a-z-]*)")]
    private static partial Regex OptionInArguments();
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using ReplicaKeeper.Cli.Configuration;
using ReplicaKeeper.Cli.Daemon;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Daemon;

/// <summary>Each invalid key gives exactly one message naming it and its exit code; valid configs resolve secrets without leaking them.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DaemonConfigTests : IDisposable
{
    private const string PasswordVariable = "RK_TEST_DAEMON_PASSWORD";
    private readonly string _dir = Directory.CreateTempSubdirectory("rk-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonObject ValidConfig() => new()
    {
        ["Source"] = new JsonObject { ["ConnectionString"] = "Server=127.0.0.1;Port=3306;User ID=rk_repl", ["PasswordEnv"] = PasswordVariable },
        ["Archive"] = new JsonObject { ["Dir"] = "archive" },
        ["Standby"] = new JsonObject { ["ConnectionString"] = "Server=127.0.0.1;Port=3307;User ID=rk_admin", ["PasswordEnv"] = PasswordVariable },
        ["Http"] = new JsonObject { ["Port"] = 0 },
    };

    private static readonly Dictionary<string, string?> BaseEnvironment = new() { [PasswordVariable] = "s3cret-pw" };

    private string Write(JsonObject config, string name = "replicakeeper.json")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private string Secret(string name, string text, UnixFileMode mode)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static void Set(JsonObject root, string key, JsonNode? value)
    {
        var parts = key.Split(':');
        var node = root;
        foreach (var part in parts[..^1])
        {
            node = (JsonObject)(node[part] ??= new JsonObject());
        }

        if (value is null)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }
    }

    private static ConfigProblem SingleProblem(Action load)
    {
        var e = Assert.Throws<DaemonConfigException>(load);
        return Assert.Single(e.Problems);
    }

    public static TheoryData<string, string, string, string> InvalidValues => new()
    {
        // key set, value ("<remove>" removes it), key the message must name, text it must contain
        { "Source:ConnectionString", "<remove>", "Source:ConnectionString", "is required" },
        { "Source:ConnectionString", "Server=127.0.0.1;User ID=rk_repl;Password=hunter2", "Source:ConnectionString", "must not contain a password" },
        { "Source:ConectionString", "Server=x", "Source:ConectionString", "unknown key" },
        { "Source:ServerId", "0", "Source:ServerId", "out of range" },
        { "Source:HeartbeatSeconds", "soon", "Source:HeartbeatSeconds", "not a number" },
        { "Source:PasswordEnv", "RK_TEST_DAEMON_UNSET_VARIABLE", "Source:PasswordEnv", "is not set" },
        { "Source:SemiSyncAck", "maybe", "Source:SemiSyncAck", "is not true or false" },
        { "Archive:Dir", "<remove>", "Archive:Dir", "is required" },
        { "Archive:StartFile", "../etc/passwd", "Archive:StartFile", "not a binlog file name" },
        { "Archive:Retention:Days", "-3", "Archive:Retention:Days", "out of range" },
        { "Archive:Offsite:Endpoint", "http://127.0.0.1:9", "Archive:Offsite:Bucket", "is required" },
        { "Standby:OnConflict", "explode", "Standby:OnConflict", "Stop, Skip, Overwrite" },
        { "Standby:ConnectionString", "<remove>", "Standby:ConnectionString", "is required" },
        { "Snapshots:KeepNewest", "3", "Snapshots:IntervalHours", "is required" },
        { "Drills:ScratchConnectionString", "Server=127.0.0.1;Port=3308;User ID=rk_admin", "Drills:IntervalHours", "is required" },
        { "Drills:IntervalHours", "-1", "Drills:IntervalHours", "out of range" },
        { "Http:Port", "99999", "Http:Port", "out of range" },
        { "Http:Port", "http", "Http:Port", "not a whole number" },
        { "Http:Address", "0.0.0.0", "Http:Address", "not a loopback address" },
        { "Logging:Level", "Loud", "Logging:Level", "Verbose, Debug" },
        { "Notifications:Smtp:Port", "0", "Notifications:Smtp:Port", "out of range" },
        { "Notifications:Webhook:Url", "ftp://x/hook", "Notifications:Webhook:Url", "not an http(s) URL" },
        { "Notifications:DailyReportAt", "25:99", "Notifications:DailyReportAt", "time of day" },
        { "Notifications:Alerts:MaxArchiveLagSeconds", "0", "Notifications:Alerts:MaxArchiveLagSeconds", "out of range" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_key_gives_one_message_naming_it_and_the_invalid_config_exit_code(string key, string value, string named, string says)
    {
        var config = ValidConfig();
        Set(config, key, value == "<remove>" ? null : JsonValue.Create(value));
        var path = Write(config);

        var problem = SingleProblem(() => DaemonConfigLoader.Load(path, BaseEnvironment));

        Assert.Equal(named, problem.Key);
        Assert.Contains(says, problem.Message, StringComparison.Ordinal);
        Assert.Equal(DaemonExitCodes.InvalidConfig, problem.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_dir, "archive")), "nothing may be created");
    }

    [Fact]
    public void An_environment_variable_overrides_the_file_and_is_validated_under_its_key()
    {
        var path = Write(ValidConfig());
        var environment = new Dictionary<string, string?>(BaseEnvironment) { ["REPLICAKEEPER__HTTP__PORT"] = "-1" };

        var problem = SingleProblem(() => DaemonConfigLoader.Load(path, environment));

        Assert.Equal("Http:Port", problem.Key);
        environment["REPLICAKEEPER__HTTP__PORT"] = "19187";
        Assert.Equal(19187, DaemonConfigLoader.Load(path, environment).Http.Port);
    }

    [Theory]
    [InlineData("Source:PasswordFile")]
    [InlineData("Standby:PasswordFile")]
    [InlineData("Archive:KeyFile")]
    public void A_secret_file_readable_by_group_or_others_is_refused_with_the_insecure_secret_code(string key)
    {
        var config = ValidConfig();
        var secret = Secret("secret", key == "Archive:KeyFile" ? Convert.ToBase64String(new byte[32]) : "pw", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Set(config, key, secret);

        var problem = SingleProblem(() => DaemonConfigLoader.Load(Write(config), BaseEnvironment));

        Assert.Equal(key, problem.Key);
        Assert.Contains("chmod 600", problem.Message, StringComparison.Ordinal);
        Assert.Equal(DaemonExitCodes.InsecureSecret, problem.ExitCode);
    }

    [Fact]
    public void Source_SemiSyncAck_makes_the_archiver_a_semi_sync_replica_and_is_off_by_default()
    {
        Assert.False(DaemonConfigLoader.Load(Write(ValidConfig()), BaseEnvironment).Source.SemiSyncAck);
        var config = ValidConfig();
        Set(config, "Source:SemiSyncAck", JsonValue.Create(true));
        Assert.True(DaemonConfigLoader.Load(Write(config, "ack.json"), BaseEnvironment).Source.SemiSyncAck);
    }

    [Fact]
    public void A_password_in_the_config_file_is_refused_but_accepted_from_the_environment()
    {
        var config = ValidConfig();
        Set(config, "Source:Password", "hunter2");
        var problem = SingleProblem(() => DaemonConfigLoader.Load(Write(config), BaseEnvironment));
        Assert.Equal("Source:Password", problem.Key);
        Assert.DoesNotContain("hunter2", problem.Message, StringComparison.Ordinal);

        var fromEnvironment = new Dictionary<string, string?> { ["REPLICAKEEPER__SOURCE__PASSWORD"] = "env-pw", [PasswordVariable] = "x" };
        var valid = ValidConfig();
        Set(valid, "Source:PasswordEnv", null);
        var loaded = DaemonConfigLoader.Load(Write(valid), fromEnvironment);
        Assert.Equal("env-pw", loaded.Source.Connection.Password);
    }

    [Fact]
    public void Several_invalid_keys_give_one_message_each()
    {
        var config = ValidConfig();
        Set(config, "Http:Port", "x");
        Set(config, "Standby:OnConflict", "y");
        Set(config, "Logging:Levle", "Debug");

        var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigLoader.Load(Write(config), BaseEnvironment));

        Assert.Equal(["Http:Port", "Logging:Levle", "Standby:OnConflict"], e.Problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_or_malformed_config_file_has_its_own_exit_code()
    {
        Assert.Equal(DaemonExitCodes.ConfigFileUnusable, SingleProblem(() => DaemonConfigLoader.Load(Path.Combine(_dir, "nope.json"), BaseEnvironment)).ExitCode);
        var broken = Path.Combine(_dir, "broken.json");
        File.WriteAllText(broken, "{ \"Source\": ");
        Assert.Equal(DaemonExitCodes.ConfigFileUnusable, SingleProblem(() => DaemonConfigLoader.Load(broken, BaseEnvironment)).ExitCode);
    }

    [Fact]
    public void A_valid_config_resolves_private_secret_files_and_never_shows_the_password()
    {
        var config = ValidConfig();
        Set(config, "Source:PasswordEnv", null);
        Set(config, "Source:PasswordFile", Secret("source.pw", "file-pw", UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Set(config, "Archive:KeyFile", Secret("archive.key", Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()), UnixFileMode.UserRead));
        Set(config, "Notifications:Smtp:Host", "127.0.0.1");
        Set(config, "Notifications:Smtp:From", "rk@clinic.example");
        config["Notifications"]!["Smtp"]!["To"] = new JsonArray("ops@clinic.example", "dr@clinic.example");

        var loaded = DaemonConfigLoader.Load(Write(config), BaseEnvironment);

        Assert.Equal("file-pw", loaded.Source.Connection.Password);
        Assert.DoesNotContain("file-pw", loaded.Source.Connection.ToString(), StringComparison.Ordinal);
        Assert.Contains("file-pw", loaded.Source.ConnectionStringWithSecret, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", DaemonHost.Redact(loaded.Standby!.ConnectionStringWithSecret), StringComparison.Ordinal);
        Assert.NotNull(loaded.Archive.Key);
        Assert.Equal(Path.Combine(_dir, "archive"), loaded.Archive.Directory);
        Assert.Equal(["ops@clinic.example", "dr@clinic.example"], loaded.Notifications.Smtp!.To);
        loaded.Archive.Key!.Dispose();
    }

    [Fact]
    public async Task The_run_command_prints_the_problem_exits_with_its_code_and_starts_nothing()
    {
        var config = ValidConfig();
        Set(config, "Http:Address", "10.1.2.3");
        var path = Write(config);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(Program).Assembly.Location, "run", "--config", path })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment[PasswordVariable] = "x";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(DaemonExitCodes.InvalidConfig, process.ExitCode);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("run: invalid configuration: Http:Address: '10.1.2.3' is not a loopback address", lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "archive")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "state")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "logs")));
    }
}

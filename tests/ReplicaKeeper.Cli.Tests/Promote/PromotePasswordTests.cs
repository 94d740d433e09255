using System.Net;
using System.Net.Sockets;
using System.CommandLine;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Cli.Tests.Promote;

/// <summary>
/// <c>replicakeeper promote</c> takes passwords from mode-600 files or the environment, so that the connection
/// strings in its arguments (visible in <c>ps</c>) hold none; no password appears in its output or its report.
/// A real MariaDB is the standby; the "master" is a closed loopback port (down), and every run is a --dry-run.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PromotePasswordTests(MariaDbFixture fixture) : IClassFixture<MariaDbFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rk-promote-").FullName;

    private string Archive
    {
        get
        {
            var layout = new ReplicaKeeper.Archive.ArchiveLayout(Path.Combine(_dir, "archive"));
            layout.EnsureCreated();
            return layout.Root;
        }
    }

    private TestServer Server => fixture.Server;

    private string StandbyWithoutPassword => $"Server={Server.Host};Port={Server.Port};User ID={Server.AdminUser}";

    private static string MasterWithoutPassword => $"Server=127.0.0.1;Port={ClosedPort()};User ID=replicakeeper";

    private const string MasterPassword = "rk-master-pw-5ecret";

    [Fact]
    public async Task Passwords_from_mode_600_files_reach_the_servers_and_appear_in_no_output_or_report()
    {
        var report = Path.Combine(_dir, "report.md");
        var (code, output) = await PromoteAsync(
            "--standby", StandbyWithoutPassword, "--standby-password-file", Secret("standby", Server.AdminPassword),
            "--master", MasterWithoutPassword, "--master-password-file", Secret("master", MasterPassword),
            "--report", report);

        // the standby was reached with the file's password: promotion went past connecting and ran the gates
        Assert.Contains("gate master-down: pass", output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot connect to the standby", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Access denied", output, StringComparison.Ordinal);
        Assert.True(code is 0 or 3, $"exit {code}: {output}");
        AssertNoPassword(output + File.ReadAllText(report));
    }

    [Fact]
    public async Task Without_a_password_the_standby_refuses_the_login()
    {
        var (code, output) = await PromoteAsync("--standby", StandbyWithoutPassword, "--master", MasterWithoutPassword);
        Assert.Equal(5, code);
        Assert.Contains("cannot connect to the standby", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwords_from_the_environment_reach_the_standby()
    {
        Environment.SetEnvironmentVariable("REPLICAKEEPER_STANDBY_PASSWORD", Server.AdminPassword);
        Environment.SetEnvironmentVariable("REPLICAKEEPER_MASTER_PASSWORD", MasterPassword);
        try
        {
            var report = Path.Combine(_dir, "report.json");
            var (code, output) = await PromoteAsync("--standby", StandbyWithoutPassword, "--master", MasterWithoutPassword, "--report", report);
            Assert.DoesNotContain("cannot connect to the standby", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Access denied", output, StringComparison.Ordinal);
            Assert.True(code is 0 or 3, $"exit {code}: {output}");
            AssertNoPassword(output + File.ReadAllText(report));
        }
        finally
        {
            Environment.SetEnvironmentVariable("REPLICAKEEPER_STANDBY_PASSWORD", null);
            Environment.SetEnvironmentVariable("REPLICAKEEPER_MASTER_PASSWORD", null);
        }
    }

    [Fact]
    public async Task A_password_file_readable_by_others_is_refused_with_the_fix_and_nothing_is_contacted()
    {
        var file = Secret("standby-open", Server.AdminPassword);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var (code, output) = await PromoteAsync("--standby", StandbyWithoutPassword, "--standby-password-file", file, "--master", MasterWithoutPassword);
        Assert.Equal(2, code);
        Assert.Contains("--standby-password-file", output, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {file}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("gate", output, StringComparison.Ordinal);
        AssertNoPassword(output);
    }

    [Fact]
    public async Task A_password_both_in_the_connection_string_and_in_a_file_is_refused()
    {
        var (code, output) = await PromoteAsync(
            "--standby", StandbyWithoutPassword + ";Password=inline-pw", "--standby-password-file", Secret("standby2", Server.AdminPassword),
            "--master", MasterWithoutPassword);
        Assert.Equal(2, code);
        Assert.Contains("remove the password from the connection string", output, StringComparison.Ordinal);
        Assert.DoesNotContain("inline-pw", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void AssertNoPassword(string text)
    {
        Assert.DoesNotContain(Server.AdminPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(MasterPassword, text, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output)> PromoteAsync(params string[] args)
    {
        using var output = new StringWriter();
        var all = new[] { "promote", "--archive", Archive, "--dry-run", "--probes", "2", "--probe-interval", "50" }.Concat(args).ToArray();
        var code = await Program.BuildRootCommand().Parse(all).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (code, output.ToString());
    }

    private string Secret(string name, string value)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, value + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

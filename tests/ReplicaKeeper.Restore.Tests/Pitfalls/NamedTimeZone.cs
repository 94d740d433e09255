using System.Diagnostics;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Restore.Tests.Pitfalls;

/// <summary>
/// Loads one named time zone into a test server's mysql.time_zone* tables (the test servers start without them),
/// with the flavour's own tzinfo-to-sql tool, without writing it to the binlog.
/// </summary>
internal static class NamedTimeZone
{
    public static async Task LoadAsync(TestServer server, string zone, CancellationToken ct)
    {
        var chroot = Environment.GetEnvironmentVariable("RK_MYSQL_CHROOT") is { Length: > 0 } root ? root.TrimEnd('/') : "/var/cache/replicakeeper/mysql-sid";
        var (file, arguments) = server.Flavor == ServerFlavor.MySql
            ? ("/usr/sbin/chroot", new[] { chroot, "/usr/bin/mysql_tzinfo_to_sql", "/usr/share/zoneinfo/" + zone, zone })
            : ("mariadb-tzinfo-to-sql", new[] { "/usr/share/zoneinfo/" + zone, zone });
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var sql = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {await process.StandardError.ReadToEndAsync(ct)}");
        }

        (await server.RunClientAsync("SET sql_log_bin = 0;\n" + sql, ["mysql"], ct)).EnsureSuccess("loading time zone " + zone);
    }
}

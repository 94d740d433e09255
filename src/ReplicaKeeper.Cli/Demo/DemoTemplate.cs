namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// The data directory every demo server starts from, made once per run (~2 s): system tables from
/// mariadb-install-db, then the admin and replication accounts created in bootstrap mode, which has no binary
/// log, so every server's binlog starts clean (no setup transactions, empty GTID state). Copying it is ~0.1 s.
/// </summary>
internal static class DemoTemplate
{
    /// <summary>InnoDB redo size at initialization and at every start (a mismatch would be a slow resize).</summary>
    public const string LogFileSize = "--innodb-log-file-size=32M";

    private static readonly string AccountsSql = $"""
        FLUSH PRIVILEGES;
        CREATE USER '{DemoServer.AdminUser}'@'%' IDENTIFIED BY '{DemoServer.AdminPassword}';
        GRANT ALL PRIVILEGES ON *.* TO '{DemoServer.AdminUser}'@'%' WITH GRANT OPTION;
        CREATE USER '{DemoServer.ReplicationUser}'@'%' IDENTIFIED BY '{DemoServer.ReplicationPassword}';
        GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{DemoServer.ReplicationUser}'@'%';

        """;

    /// <summary>Builds the template under <paramref name="directory"/> and returns its data directory.</summary>
    public static async Task<string> CreateAsync(string directory, CancellationToken ct)
    {
        var data = Path.Combine(directory, "data");
        // a private tmpdir: the bootstrap's temporary tables never share /tmp with other servers or cleaners
        var tmp = Directory.CreateDirectory(Path.Combine(directory, "tmp")).FullName;
        List<string> user = DemoInstallation.IsRoot ? ["--user=root"] : [];
        await DemoProcess.RunAsync(
            DemoInstallation.MariaDbInstallDb,
            ["--no-defaults", $"--datadir={data}", $"--tmpdir={tmp}", .. user, "--auth-root-authentication-method=normal", "--skip-test-db", LogFileSize],
            null,
            ct);
        await DemoProcess.RunAsync(
            DemoInstallation.MariaDbd,
            ["--no-defaults", .. user, $"--datadir={data}", $"--tmpdir={tmp}", "--bootstrap", LogFileSize],
            AccountsSql,
            ct);
        return data;
    }
}

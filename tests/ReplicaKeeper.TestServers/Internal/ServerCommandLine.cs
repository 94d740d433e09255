using System.Globalization;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// The mariadbd / mysqld command line of an instance (the recipes of shared/SERVERS.md). Everything lives in the
/// instance directory: data/ (datadir, binlogs bin.NNNNNN), s.sock, error.log, tls/.
/// </summary>
internal static class ServerCommandLine
{
    public static IReadOnlyList<string> For(TestServerOptions options, InstanceDirectory directory, int port, uint serverId)
    {
        // a private tmpdir: temporary tables never share /tmp with other servers or with whatever cleans /tmp
        Directory.CreateDirectory(directory.Host("tmp"));
        return options.Flavor == ServerFlavor.MySql
            ? MySql(options, directory, port, serverId)
            : MariaDb(options, directory, port, serverId);
    }

    private static List<string> MariaDb(TestServerOptions options, InstanceDirectory directory, int port, uint serverId)
    {
        var d = directory.ServerPath;
        List<string> arguments =
        [
            ServerInstallation.MariaDbd,
            "--no-defaults",
        ];
        if (ServerInstallation.IsRoot)
        {
            arguments.Add("--user=root");
        }

        arguments.AddRange(
        [
            $"--datadir={d}/data",
            $"--socket={d}/s.sock",
            $"--tmpdir={d}/tmp",
            $"--pid-file={d}/data/mariadbd.pid",
            $"--log-error={d}/error.log",
            Invariant($"--port={port}"),
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            Invariant($"--server-id={serverId}"),
            $"--log-bin={d}/data/bin",
            "--binlog-format=ROW",
            Checksum(options),
            "--binlog-row-image=FULL",
            "--binlog-row-metadata=FULL",
            "--binlog-annotate-row-events=ON",
            "--gtid-strict-mode=ON",
            "--innodb-buffer-pool-size=64M",
            ServerTemplates.MariaDbLogFileSize,
            "--max-allowed-packet=64M",
        ]);
        if (options.LogBinCompress)
        {
            arguments.AddRange(["--log-bin-compress=ON", "--log-bin-compress-min-len=10"]);
        }

        AddTls(arguments, options, directory);
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    private static List<string> MySql(TestServerOptions options, InstanceDirectory directory, int port, uint serverId)
    {
        var d = directory.ServerPath;
        List<string> arguments =
        [
            ServerInstallation.Chroot,
            ServerInstallation.MySqlChroot,
            "/usr/sbin/mysqld",
            "--no-defaults",
            "--user=root",
            $"--datadir={d}/data",
            $"--socket={d}/s.sock",
            $"--tmpdir={d}/tmp",
            $"--pid-file={d}/data/mysqld.pid",
            $"--log-error={d}/error.log",
            Invariant($"--port={port}"),
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            Invariant($"--server-id={serverId}"),
            "--log-bin=bin",
            Checksum(options),
            "--binlog-row-image=FULL",
            "--binlog-row-metadata=FULL",
            "--gtid-mode=ON",
            "--enforce-gtid-consistency=ON",
            "--secure-file-priv=NULL",
            "--mysqlx=OFF",
            // halves the RSS (~540 -> ~290 MB) and shaves ~2 s off the start; re-enable via ExtraArguments
            "--performance-schema=OFF",
            "--innodb-buffer-pool-size=64M",
            ServerTemplates.MySqlRedoCapacity,
            "--max-allowed-packet=64M",
        ];
        if (options.TransactionCompression)
        {
            arguments.Add("--binlog-transaction-compression=ON");
        }

        AddTls(arguments, options, directory);
        arguments.AddRange(options.ExtraArguments);
        return arguments;
    }

    private static string Checksum(TestServerOptions options) =>
        options.BinlogChecksumNone ? "--binlog-checksum=NONE" : "--binlog-checksum=CRC32";

    private static void AddTls(List<string> arguments, TestServerOptions options, InstanceDirectory directory)
    {
        if (!options.Tls)
        {
            return;
        }

        arguments.AddRange(
        [
            $"--ssl-ca={directory.Server("tls/" + TestCertificates.CaFileName)}",
            $"--ssl-cert={directory.Server("tls/" + TestCertificates.CertificateFileName)}",
            $"--ssl-key={directory.Server("tls/" + TestCertificates.KeyFileName)}",
        ]);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

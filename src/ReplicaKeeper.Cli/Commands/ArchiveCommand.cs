using System.CommandLine;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using Serilog;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper archive --source CONNSTR --dir DIR</c>: the long-running binlog archiver, with
/// the subcommands <c>verify</c> and <c>status</c>. The encryption key comes from --key-file or an
/// environment variable, never from the command line or a config file.
/// </summary>
internal static class ArchiveCommand
{
    internal static class ExitCodes
    {
        public const int Ok = 0;
        public const int Failed = 1;
        public const int Usage = 2;
        public const int KeyProblem = 3;
        public const int StreamProblem = 4;
    }

    public static Command Create()
    {
        var source = new Option<string?>("--source")
        {
            Description = "MySqlConnector connection string of the source (needs REPLICATION SLAVE, REPLICATION CLIENT). Password from --password-env.",
        };
        var dir = ArchiveOptions.Directory();
        var keyFile = ArchiveOptions.KeyFile();
        var keyEnv = ArchiveOptions.KeyEnvironmentVariable();
        var startFile = new Option<string?>("--start-file") { Description = "For an empty archive: the binlog file to start at (default: the oldest one the source has)." };
        var passwordEnv = new Option<string>("--password-env")
        {
            Description = "Environment variable holding the source password when the connection string has none.",
            DefaultValueFactory = _ => ConnectionOptions.DefaultPasswordEnvironmentVariable,
        };
        var serverId = new Option<uint?>("--server-id") { Description = "Server id to announce to the source (unique among its replicas). Default: random." };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Heartbeat interval in seconds.", DefaultValueFactory = _ => 1 };

        var command = new Command("archive", "Archive a source's binlog: byte-identical segments, fsynced at every transaction end, sealed (zstd, optional AES-256-GCM) into a hash-chained manifest.");
        foreach (var option in new Option[] { source, dir, keyFile, keyEnv, startFile, passwordEnv, serverId, heartbeat })
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(ArchiveVerifyCommand.Create());
        command.Subcommands.Add(ArchiveStatusCommand.Create());
        command.SetAction(async (parse, ct) =>
        {
            var connectionString = parse.GetValue(source);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                await Console.Error.WriteLineAsync("archive: --source is required to run the archiver (or use 'archive verify' / 'archive status').");
                return ExitCodes.Usage;
            }

            using var logger = new LoggerConfiguration().WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
            ArchiveKey? key;
            try
            {
                key = ArchiveKey.Load(parse.GetValue(keyFile), parse.GetValue(keyEnv));
            }
            catch (ArchiveKeyException ex)
            {
                await Console.Error.WriteLineAsync("archive: " + ex.Message);
                return ExitCodes.KeyProblem;
            }

            using (key)
            {
                var connection = ConnectionOptions.Parse(connectionString).WithPasswordFromEnvironment(parse.GetValue(passwordEnv)!);
                var replication = new ReplicationOptions
                {
                    Connection = connection,
                    HeartbeatInterval = TimeSpan.FromSeconds(parse.GetValue(heartbeat)),
                    Logger = logger,
                };
                if (parse.GetValue(serverId) is { } id)
                {
                    replication = replication with { ServerId = id };
                }

                try
                {
                    await LiveArchiver.RunAsync(new LiveArchiverOptions
                    {
                        Layout = new ArchiveLayout(parse.GetValue(dir)!),
                        Replication = replication,
                        Key = key,
                        StartFile = parse.GetValue(startFile),
                        Logger = logger,
                    }, ct);
                    return ExitCodes.Ok;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    logger.Information("Stopped; everything up to the last transaction end is durable");
                    return ExitCodes.Ok;
                }
                catch (ArchiveKeyException ex)
                {
                    await Console.Error.WriteLineAsync("archive: " + ex.Message);
                    return ExitCodes.KeyProblem;
                }
                catch (ArchiveStreamException ex)
                {
                    logger.Error("The stream does not continue the archive: {Problem}", ex.Message);
                    return ExitCodes.StreamProblem;
                }
                catch (ReplicationException ex)
                {
                    logger.Error("Replication failed: {Problem}", ex.Message);
                    return ExitCodes.Failed;
                }
            }
        });
        return command;
    }
}

/// <summary>Options shared by the archive commands.</summary>
internal static class ArchiveOptions
{
    public static Option<string> Directory() => new("--dir") { Description = "Archive directory.", Required = true };

    public static Option<string?> KeyFile() => new("--key-file") { Description = "File holding the 32-byte archive key (base64 or hex). Enables encryption of sealed segments." };

    public static Option<string?> KeyEnvironmentVariable() => new("--key-env")
    {
        Description = $"Environment variable holding the archive key (base64 or hex). Default: {ArchiveKey.DefaultEnvironmentVariable}.",
    };
}

using System.CommandLine;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using Serilog;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper archive --source CONNSTR --dir DIR [--config FILE]</c>: the long-running binlog archiver
/// (with off-site upload and retention passes beside it when configured), and the subcommands
/// <c>verify</c>, <c>status</c>, <c>upload</c> and <c>prune</c>. The encryption key and the S3 credentials
/// come from files or environment variables, never from the command line or a config file.
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
        public const int OffsiteProblem = 5;
    }

    public static Command Create()
    {
        var source = new Option<string?>("--source")
        {
            Description = "MySqlConnector connection string of the source (needs REPLICATION SLAVE, REPLICATION CLIENT). Password from --password-env.",
        };
        var startFile = new Option<string?>("--start-file") { Description = "For an empty archive: the binlog file to start at (default: the oldest one the source has)." };
        var passwordEnv = new Option<string?>("--password-env")
        {
            Description = $"Environment variable holding the source password when the connection string has none (default {ConnectionOptions.DefaultPasswordEnvironmentVariable}).",
        };
        var serverId = new Option<uint?>("--server-id") { Description = "Server id to announce to the source (unique among its replicas). Default: random." };
        var heartbeat = new Option<double?>("--heartbeat") { Description = "Heartbeat interval in seconds (default 1)." };
        var ack = new Option<bool>("--ack")
        {
            Description = "Be a semi-sync replica: acknowledge each transaction to a semi-sync source once it is fsynced in the archive (a source without semi-sync is archived as usual).",
        };
        var upkeepInterval = new Option<double?>("--upkeep-interval")
        {
            Description = "Seconds between off-site upload and retention passes while archiving (default: archive.offsite.uploadIntervalSeconds or 60).",
        };

        var command = new Command("archive", "Archive a source's binlog: byte-identical segments, fsynced at every transaction end, sealed (zstd, optional AES-256-GCM) into a hash-chained manifest; optionally copied off-site (S3) and pruned by retention.");
        var settings = ArchiveSettings.AddTo(command, retention: true, offsite: true);
        foreach (var option in new Option[] { source, startFile, passwordEnv, serverId, heartbeat, ack, upkeepInterval })
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(ArchiveVerifyCommand.Create());
        command.Subcommands.Add(ArchiveStatusCommand.Create());
        command.Subcommands.Add(ArchiveUploadCommand.Create());
        command.Subcommands.Add(ArchivePruneCommand.Create());
        command.SetAction(async (parse, ct) =>
        {
            ArchiveConfig config;
            try
            {
                config = await settings.ResolveAsync(parse, ct);
                config = config with
                {
                    Source = parse.GetValue(source) ?? config.Source,
                    PasswordEnv = parse.GetValue(passwordEnv) ?? config.PasswordEnv,
                    ServerId = parse.GetValue(serverId) ?? config.ServerId,
                    HeartbeatSeconds = parse.GetValue(heartbeat) ?? config.HeartbeatSeconds,
                };
                _ = config.Layout();
            }
            catch (ArchiveConfigException ex)
            {
                await Console.Error.WriteLineAsync("archive: " + ex.Message);
                return ExitCodes.Usage;
            }

            if (string.IsNullOrWhiteSpace(config.Source))
            {
                await Console.Error.WriteLineAsync("archive: --source (or archive.source in --config) is required to run the archiver (or use 'archive verify' / 'status' / 'upload' / 'prune').");
                return ExitCodes.Usage;
            }

            using var logger = new LoggerConfiguration().WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger();
            ArchiveKey? key;
            S3OffsiteStore? store;
            try
            {
                key = config.LoadKey();
                store = ArchiveSettings.OpenStore(config);
            }
            catch (ArchiveKeyException ex)
            {
                await Console.Error.WriteLineAsync("archive: " + ex.Message);
                return ExitCodes.KeyProblem;
            }
            catch (Exception ex) when (ex is OffsiteException or ArchiveConfigException)
            {
                await Console.Error.WriteLineAsync("archive: " + ex.Message);
                return ExitCodes.Usage;
            }

            using (key)
            using (store)
            {
                var layout = config.Layout();
                var connection = ConnectionOptions.Parse(config.Source).WithPasswordFromEnvironment(config.PasswordEnv ?? ConnectionOptions.DefaultPasswordEnvironmentVariable);
                var replication = new ReplicationOptions
                {
                    Connection = connection,
                    HeartbeatInterval = TimeSpan.FromSeconds(config.HeartbeatSeconds ?? 1),
                    SemiSyncAck = parse.GetValue(ack),
                    Logger = logger,
                };
                if (config.ServerId is { } id)
                {
                    replication = replication with { ServerId = id };
                }

                var retention = config.ToRetentionPolicy() is { } policy ? new ArchiveRetention(layout, policy, ArchiveSettings.RetentionPins(layout, config)) : null;
                var upkeep = new ArchiveUpkeep(layout, store, retention, logger);
                using var stopUpkeep = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var interval = TimeSpan.FromSeconds(parse.GetValue(upkeepInterval) ?? config.Offsite?.UploadIntervalSeconds ?? 60);
                var upkeepRun = upkeep.HasWork ? upkeep.RunAsync(interval, stopUpkeep.Token) : Task.CompletedTask;
                try
                {
                    await LiveArchiver.RunAsync(new LiveArchiverOptions
                    {
                        Layout = layout,
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
                finally
                {
                    await stopUpkeep.CancelAsync();
                    await upkeepRun;
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

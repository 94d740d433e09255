using System.Data.Common;
using System.Net;
using System.Text.Json;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Cli.Daemon;
using ReplicaKeeper.Failover.Notifications;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Standby.Apply;
using Serilog.Events;

namespace ReplicaKeeper.Cli.Configuration;

/// <summary>
/// Loads <c>replicakeeper.json</c> plus environment variables <c>REPLICAKEEPER__SECTION__KEY</c> (they win), validates
/// every key and resolves the secrets. Secrets never come from the JSON file: passwords from <c>...:PasswordFile</c>
/// (mode 600) or the variable named by <c>...:PasswordEnv</c> (or <c>REPLICAKEEPER__SECTION__PASSWORD</c>), the
/// archive key from <c>Archive:KeyFile</c> or <c>Archive:KeyEnv</c>. All problems are collected, one per key.
/// </summary>
public static class DaemonConfigLoader
{
    public const string EnvironmentPrefix = "REPLICAKEEPER__";

    /// <summary>Loads and validates; throws <see cref="DaemonConfigException"/> listing every invalid key.</summary>
    /// <param name="path">The JSON config file.</param>
    /// <param name="environment">Environment variables (default: the process's).</param>
    public static DaemonConfig Load(string path, IReadOnlyDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        environment ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
        var fullPath = System.IO.Path.GetFullPath(path);
        IConfigurationRoot file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(fullPath, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FileNotFoundException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException or JsonException)
        {
            throw new DaemonConfigException([new ConfigProblem(fullPath, $"cannot read the config file: {(e.InnerException ?? e).Message}", DaemonExitCodes.ConfigFileUnusable)]);
        }

        var fromEnvironment = environment
            .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && e.Key.Length > EnvironmentPrefix.Length)
            .ToDictionary(e => e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e => e.Value, StringComparer.OrdinalIgnoreCase);
        var merged = new ConfigurationBuilder().AddConfiguration(file).AddInMemoryCollection(fromEnvironment).Build();
        var reader = new ConfigReader(merged, System.IO.Path.GetDirectoryName(fullPath)!);
        var secrets = new Secrets(reader, file, environment);

        var source = ReadSource(reader, secrets);
        var archive = ReadArchive(reader, secrets);
        var standby = ReadStandby(reader, secrets);
        var snapshots = ReadSnapshots(reader, standby is not null);
        var drills = ReadDrills(reader, secrets, standby is not null);
        var http = ReadHttp(reader);
        var logging = ReadLogging(reader, fullPath);
        var notifications = ReadNotifications(reader, secrets);
        var stateDirectory = reader.Path("Daemon:StateDirectory") ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(fullPath)!, "state");
        reader.CheckUnknownKeys();

        if (reader.Problems.Count > 0 || source is null || archive is null)
        {
            archive?.Key?.Dispose();
            var problems = reader.Problems.Count > 0 ? reader.Problems : [new ConfigProblem("Source", "is required", DaemonExitCodes.InvalidConfig)];
            throw new DaemonConfigException(problems);
        }

        return new DaemonConfig
        {
            Source = source,
            Archive = archive,
            Standby = standby,
            Snapshots = snapshots,
            Drills = drills,
            Http = http,
            Logging = logging,
            Notifications = notifications,
            StateDirectory = stateDirectory,
        };
    }

    private static SourceConfig? ReadSource(ConfigReader reader, Secrets secrets)
    {
        var text = reader.RequiredString("Source:ConnectionString", "the master's connection string, e.g. \"Server=db1;Port=3306;User ID=rk_repl\" (password from Source:PasswordFile or Source:PasswordEnv)");
        var password = secrets.Password("Source");
        var serverId = reader.OptionalServerId("Source:ServerId");
        var heartbeat = reader.Double("Source:HeartbeatSeconds", 1, 0.01, 3600);
        var semiSyncAck = reader.Bool("Source:SemiSyncAck", false);
        if (text is null || !secrets.CheckConnectionString("Source:ConnectionString", text))
        {
            return null;
        }

        try
        {
            var connection = ConnectionOptions.Parse(text, name => secrets.Environment.GetValueOrDefault(name));
            if (password is not null)
            {
                connection = connection with { Password = password };
            }

            return new SourceConfig
            {
                Connection = connection,
                ConnectionStringWithSecret = WithPassword(text, connection.Password),
                ServerId = serverId,
                Heartbeat = TimeSpan.FromSeconds(heartbeat),
                SemiSyncAck = semiSyncAck,
            };
        }
        catch (FormatException e)
        {
            reader.Fail("Source:ConnectionString", e.Message);
            return null;
        }
    }

    private static ArchiveConfig? ReadArchive(ConfigReader reader, Secrets secrets)
    {
        var directory = reader.Path("Archive:Dir");
        if (directory is null)
        {
            reader.Fail("Archive:Dir", "is required: the archive directory (created when missing)");
        }

        var startFile = reader.String("Archive:StartFile");
        if (startFile is not null && !Archive.SegmentName.TryParse(startFile, out _))
        {
            reader.Fail("Archive:StartFile", $"'{startFile}' is not a binlog file name (base.NNNNNN)");
        }

        var days = reader.OptionalDouble("Archive:Retention:Days", 0.001, 36500);
        var gigabytes = reader.OptionalDouble("Archive:Retention:Gigabytes", 0.001, 1_000_000);
        var retentionMinutes = reader.Double("Archive:RetentionIntervalMinutes", 60, 0.01, 10080);
        var verifyMinutes = reader.Double("Archive:VerifyIntervalMinutes", 360, 0.01, 10080);
        var key = secrets.ArchiveKey();
        var offsite = ReadOffsite(reader);
        var offsiteSeconds = reader.Double("Archive:Offsite:UploadIntervalSeconds", 60, 1, 86400);
        if (directory is null)
        {
            key?.Dispose();
            return null;
        }

        return new ArchiveConfig
        {
            Directory = directory,
            Key = key,
            StartFile = startFile,
            Retention = days is null && gigabytes is null
                ? null
                : new RetentionPolicy(days is { } d ? TimeSpan.FromDays(d) : null, gigabytes is { } g ? (long)(g * 1024 * 1024 * 1024) : null),
            RetentionInterval = TimeSpan.FromMinutes(retentionMinutes),
            VerifyInterval = TimeSpan.FromMinutes(verifyMinutes),
            Offsite = offsite,
            OffsiteInterval = TimeSpan.FromSeconds(offsiteSeconds),
        };
    }

    /// <summary>Section Archive:Offsite, bound to helper A's <see cref="OffsiteConfig"/> (same key names).</summary>
    private static S3OffsiteOptions? ReadOffsite(ConfigReader reader)
    {
        const string Section = "Archive:Offsite";
        var config = new OffsiteConfig
        {
            Endpoint = reader.String(Section + ":Endpoint"),
            Bucket = reader.String(Section + ":Bucket"),
            Prefix = reader.String(Section + ":Prefix"),
            Region = reader.String(Section + ":Region"),
            ForcePathStyle = reader.SectionExists(Section) ? reader.Bool(Section + ":ForcePathStyle", false) : null,
            AccessKeyEnv = reader.String(Section + ":AccessKeyEnv"),
            SecretKeyEnv = reader.String(Section + ":SecretKeyEnv"),
            AccessKeyFile = reader.Path(Section + ":AccessKeyFile"),
            SecretKeyFile = reader.Path(Section + ":SecretKeyFile"),
        };
        if (!reader.SectionExists(Section))
        {
            return null;
        }

        if (config.Bucket is null)
        {
            reader.Fail(Section + ":Bucket", "is required when an Offsite section is given");
            return null;
        }

        if (config.Endpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            reader.Fail(Section + ":Endpoint", $"'{endpoint}' is not an absolute URL");
            return null;
        }

        foreach (var (key, path) in new[] { (Section + ":AccessKeyFile", config.AccessKeyFile), (Section + ":SecretKeyFile", config.SecretKeyFile) })
        {
            if (path is not null && SecretFile.Problem(path) is { } problem)
            {
                reader.Fail(key, problem, DaemonExitCodes.InsecureSecret);
                return null;
            }
        }

        try
        {
            return config.ToOptions();
        }
        catch (Exception e) when (e is OffsiteException or ArchiveConfigException)
        {
            reader.Fail(Section, e.Message);
            return null;
        }
    }

    private static DrillsConfig? ReadDrills(ConfigReader reader, Secrets secrets, bool haveStandby)
    {
        var hours = reader.OptionalDouble("Drills:IntervalHours", 0.0001, 24 * 365);
        var text = reader.String("Drills:ScratchConnectionString");
        var password = secrets.Password("Drills");
        var useSnapshots = reader.Bool("Drills:UseSnapshots", true);
        var reports = reader.Path("Drills:ReportDirectory");
        if (hours is null)
        {
            if (text is not null)
            {
                reader.Fail("Drills:IntervalHours", "is required when Drills:ScratchConnectionString is set");
            }

            return null;
        }

        if (!haveStandby)
        {
            reader.Fail("Drills:IntervalHours", "needs a standby to compare the restored copy with: configure the Standby section");
            return null;
        }

        if (text is null)
        {
            reader.Fail("Drills:ScratchConnectionString", "is required with Drills:IntervalHours: a scratch instance the drill may reset");
            return null;
        }

        if (!secrets.CheckConnectionString("Drills:ScratchConnectionString", text))
        {
            return null;
        }

        return new DrillsConfig
        {
            Interval = TimeSpan.FromHours(hours.Value),
            ScratchConnectionStringWithSecret = WithPassword(text, password),
            UseSnapshots = useSnapshots,
            ReportDirectory = reports,
        };
    }

    private static SnapshotsConfig? ReadSnapshots(ConfigReader reader, bool haveStandby)
    {
        var hours = reader.OptionalDouble("Snapshots:IntervalHours", 0.0001, 24 * 365);
        var keep = reader.OptionalLong("Snapshots:KeepNewest", 1, 100_000);
        var days = reader.OptionalDouble("Snapshots:MaxAgeDays", 0.001, 36500);
        if (hours is null)
        {
            if (keep is not null || days is not null)
            {
                reader.Fail("Snapshots:IntervalHours", "is required when Snapshots:KeepNewest or Snapshots:MaxAgeDays is set");
            }

            return null;
        }

        if (!haveStandby)
        {
            reader.Fail("Snapshots:IntervalHours", "needs a standby to take snapshots from: configure the Standby section");
            return null;
        }

        return new SnapshotsConfig
        {
            Interval = TimeSpan.FromHours(hours.Value),
            KeepNewest = keep is { } k ? (int)k : null,
            MaxAge = days is { } d ? TimeSpan.FromDays(d) : null,
        };
    }

    private static StandbyConfig? ReadStandby(ConfigReader reader, Secrets secrets)
    {
        var enabled = reader.Bool("Standby:Enabled", reader.SectionExists("Standby"));
        var text = reader.String("Standby:ConnectionString");
        var password = secrets.Password("Standby");
        var channel = reader.String("Standby:Channel") ?? Standby.Positions.PositionStore.DefaultChannel;
        var onConflict = reader.Enum("Standby:OnConflict", ConflictPolicy.Stop);
        var serverId = reader.OptionalServerId("Standby:ServerId");
        if (!enabled)
        {
            return null;
        }

        if (text is null)
        {
            reader.Fail("Standby:ConnectionString", "is required when the Standby section is present (or set Standby:Enabled to false)");
            return null;
        }

        if (!secrets.CheckConnectionString("Standby:ConnectionString", text))
        {
            return null;
        }

        try
        {
            var parsed = new MySqlConnector.MySqlConnectionStringBuilder(text);
            return new StandbyConfig
            {
                ConnectionStringWithSecret = WithPassword(text, password ?? (parsed.ContainsKey("Password") ? parsed.Password : null)),
                Channel = channel,
                OnConflict = onConflict,
                ServerId = serverId,
            };
        }
        catch (ArgumentException e)
        {
            reader.Fail("Standby:ConnectionString", $"invalid connection string: {e.Message}");
            return null;
        }
    }

    private static HttpConfig ReadHttp(ConfigReader reader)
    {
        var enabled = reader.Bool("Http:Enabled", true);
        var address = reader.String("Http:Address") ?? "127.0.0.1";
        if (!IPAddress.TryParse(address, out var ip) || !IPAddress.IsLoopback(ip))
        {
            reader.Fail("Http:Address", $"'{address}' is not a loopback address (the status endpoint has no authentication; use 127.0.0.1 or ::1)");
        }

        var port = reader.Int("Http:Port", 9187, 0, 65535);
        return new HttpConfig { Enabled = enabled, Address = address, Port = port };
    }

    private static LoggingConfig ReadLogging(ConfigReader reader, string configPath) => new()
    {
        Level = reader.Enum("Logging:Level", LogEventLevel.Information),
        Directory = reader.Path("Logging:Directory") ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(configPath)!, "logs"),
        RetainedFiles = reader.Int("Logging:RetainedFiles", 14, 1, 3650),
        Console = reader.Bool("Logging:Console", true),
    };

    private static NotificationsConfig ReadNotifications(ConfigReader reader, Secrets secrets)
    {
        SmtpSettings? smtp = null;
        var host = reader.String("Notifications:Smtp:Host");
        var port = reader.Int("Notifications:Smtp:Port", 587, 1, 65535);
        var security = reader.Parsed("Notifications:Smtp:Security", NotificationsConfig.ParseSecurity, "one of None, StartTls, StartTlsWhenAvailable, SslOnConnect") ?? SecureSocketOptions.StartTlsWhenAvailable;
        var from = reader.String("Notifications:Smtp:From");
        var to = reader.List("Notifications:Smtp:To");
        var user = reader.String("Notifications:Smtp:User");
        var password = secrets.Password("Notifications:Smtp");
        if (host is not null)
        {
            if (from is null || !MimeKit.MailboxAddress.TryParse(from, out _))
            {
                reader.Fail("Notifications:Smtp:From", from is null ? "is required with Notifications:Smtp:Host" : $"'{from}' is not a mail address");
            }

            if (to.Count == 0)
            {
                reader.Fail("Notifications:Smtp:To", "is required with Notifications:Smtp:Host: one or more mail addresses");
            }
            else if (to.FirstOrDefault(t => !MimeKit.MailboxAddress.TryParse(t, out _)) is { } bad)
            {
                reader.Fail("Notifications:Smtp:To", $"'{bad}' is not a mail address");
            }

            if (user is not null && password is null && !reader.HasProblem("Notifications:Smtp:PasswordFile") && !reader.HasProblem("Notifications:Smtp:PasswordEnv"))
            {
                reader.Fail("Notifications:Smtp:User", "needs a password: set Notifications:Smtp:PasswordFile or Notifications:Smtp:PasswordEnv");
            }

            smtp = new SmtpSettings { Host = host, Port = port, Security = security, From = from ?? "", To = to, User = user, Password = password };
        }

        Uri? webhook = null;
        if (reader.String("Notifications:Webhook:Url") is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out webhook) || webhook.Scheme is not ("http" or "https"))
            {
                reader.Fail("Notifications:Webhook:Url", $"'{url}' is not an http(s) URL");
                webhook = null;
            }
        }

        var defaults = new AlertThresholds();
        return new NotificationsConfig
        {
            Smtp = smtp,
            Webhook = webhook,
            Alerts = new AlertThresholds
            {
                MaxArchiveLagSeconds = reader.Double("Notifications:Alerts:MaxArchiveLagSeconds", defaults.MaxArchiveLagSeconds, 0.1, 1e7),
                MaxArchiveLagBytes = reader.OptionalLong("Notifications:Alerts:MaxArchiveLagBytes", 1, long.MaxValue),
                MaxLinkDownSeconds = reader.Double("Notifications:Alerts:MaxLinkDownSeconds", defaults.MaxLinkDownSeconds, 0.1, 1e7),
                MaxApplierLagSeconds = reader.OptionalDouble("Notifications:Alerts:MaxApplierLagSeconds", 0.1, 1e7),
            },
            DailyReportAt = reader.Parsed("Notifications:DailyReportAt", t => TimeOnly.ParseExact(t, ["HH:mm", "H:mm"], System.Globalization.CultureInfo.InvariantCulture), "a time of day like 07:30"),
            CheckInterval = TimeSpan.FromSeconds(reader.Double("Notifications:CheckIntervalSeconds", 15, 0.1, 3600)),
        };
    }

    /// <summary>The connection string with <paramref name="password"/> set and the ReplicaKeeper-only key removed.</summary>
    private static string WithPassword(string connectionString, string? password)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in builder.Keys.Cast<string>().ToList())
        {
            if (key.Replace(" ", "", StringComparison.Ordinal).Equals(ConnectionOptions.PasswordEnvironmentVariableKey, StringComparison.OrdinalIgnoreCase))
            {
                builder.Remove(key);
            }
        }

        if (password is not null)
        {
            builder["Password"] = password;
        }

        return builder.ConnectionString;
    }

    /// <summary>Secret lookup with the rules: never from the JSON file; files must be private.</summary>
    private sealed class Secrets(ConfigReader reader, IConfiguration file, IReadOnlyDictionary<string, string?> environment)
    {
        public IReadOnlyDictionary<string, string?> Environment { get; } = environment;

        /// <summary>Section:Password (environment only), Section:PasswordFile or the variable named by Section:PasswordEnv.</summary>
        public string? Password(string section)
        {
            var direct = reader.String(section + ":Password");
            var path = reader.Path(section + ":PasswordFile");
            var variable = reader.String(section + ":PasswordEnv");
            if (direct is not null && file[section + ":Password"] is not null)
            {
                reader.Fail(section + ":Password", $"secrets are not accepted in the config file; use {section}:PasswordFile (mode 600) or {section}:PasswordEnv");
                return null;
            }

            if (path is not null)
            {
                if (SecretFile.Problem(path) is { } problem)
                {
                    reader.Fail(section + ":PasswordFile", problem, DaemonExitCodes.InsecureSecret);
                    return null;
                }

                return SecretFile.Read(path);
            }

            if (variable is not null)
            {
                if (Environment.GetValueOrDefault(variable) is not { } value)
                {
                    reader.Fail(section + ":PasswordEnv", $"the environment variable {variable} is not set");
                    return null;
                }

                return value;
            }

            return direct;
        }

        /// <summary>False (and a problem) when the JSON file's connection string carries a password.</summary>
        public bool CheckConnectionString(string key, string text)
        {
            try
            {
                var builder = new DbConnectionStringBuilder { ConnectionString = text };
                if ((builder.ContainsKey("Password") || builder.ContainsKey("Pwd")) && file[key] is not null && file[key]!.Trim() == text)
                {
                    reader.Fail(key, $"must not contain a password in the config file; use {key.Split(':')[0]}:PasswordFile (mode 600) or {key.Split(':')[0]}:PasswordEnv");
                    return false;
                }

                return true;
            }
            catch (ArgumentException e)
            {
                reader.Fail(key, $"invalid connection string: {e.Message}");
                return false;
            }
        }

        public ArchiveKey? ArchiveKey()
        {
            var path = reader.Path("Archive:KeyFile");
            var variable = reader.String("Archive:KeyEnv");
            try
            {
                if (path is not null)
                {
                    if (SecretFile.Problem(path) is { } problem)
                    {
                        reader.Fail("Archive:KeyFile", problem, DaemonExitCodes.InsecureSecret);
                        return null;
                    }

                    return Archive.Storage.ArchiveKey.Parse(SecretFile.Read(path), path);
                }

                if (variable is not null)
                {
                    if (Environment.GetValueOrDefault(variable) is not { } value)
                    {
                        reader.Fail("Archive:KeyEnv", $"the environment variable {variable} is not set");
                        return null;
                    }

                    return Archive.Storage.ArchiveKey.Parse(value, "environment variable " + variable);
                }

                return null;
            }
            catch (ArchiveKeyException e)
            {
                reader.Fail(path is not null ? "Archive:KeyFile" : "Archive:KeyEnv", e.Message);
                return null;
            }
        }
    }
}

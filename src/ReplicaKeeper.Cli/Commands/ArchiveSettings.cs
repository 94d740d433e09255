using System.CommandLine;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// The archive settings every archive command takes: <c>--config FILE</c> (its "archive" section, see
/// <see cref="ArchiveConfig"/>), then command-line flags overriding it. Secrets come only from files
/// or environment variables the settings name.
/// </summary>
internal sealed class ArchiveSettings
{
    private readonly Option<string?> _config = new("--config") { Description = "JSON config file (its \"archive\" section): source, dir, keyFile/keyEnv, retention, offsite. Flags override it." };
    private readonly Option<string?> _dir = new("--dir") { Description = "Archive directory (or archive.dir in --config)." };
    private readonly Option<string?> _keyFile = ArchiveOptions.KeyFile();
    private readonly Option<string?> _keyEnv = ArchiveOptions.KeyEnvironmentVariable();
    private readonly Option<double?> _retainDays = new("--retain-days") { Description = "Keep sealed segments this many days (retention.days)." };
    private readonly Option<double?> _retainGb = new("--retain-gb") { Description = "Keep at most this many GiB of sealed segments (retention.gigabytes)." };
    private readonly Option<string?> _s3Endpoint = new("--s3-endpoint") { Description = "Service URL of an S3-compatible store (omit for AWS S3)." };
    private readonly Option<string?> _s3Bucket = new("--s3-bucket") { Description = "Bucket for the off-site copy; enables it." };
    private readonly Option<string?> _s3Prefix = new("--s3-prefix") { Description = "Folder inside the bucket." };
    private readonly Option<string?> _s3Region = new("--s3-region") { Description = "Region (default us-east-1)." };
    private readonly Option<string?> _s3AccessKeyEnv = new("--s3-access-key-env") { Description = $"Environment variable holding the access key id (default {S3Credentials.DefaultAccessKeyEnvironmentVariable})." };
    private readonly Option<string?> _s3SecretKeyEnv = new("--s3-secret-key-env") { Description = $"Environment variable holding the secret access key (default {S3Credentials.DefaultSecretKeyEnvironmentVariable})." };
    private readonly bool _key;
    private readonly bool _retention;
    private readonly bool _offsite;

    private ArchiveSettings(bool key, bool retention, bool offsite)
    {
        _key = key;
        _retention = retention;
        _offsite = offsite;
    }

    public static ArchiveSettings AddTo(Command command, bool key = true, bool retention = false, bool offsite = false)
    {
        var settings = new ArchiveSettings(key, retention, offsite);
        command.Options.Add(settings._config);
        command.Options.Add(settings._dir);
        if (key)
        {
            command.Options.Add(settings._keyFile);
            command.Options.Add(settings._keyEnv);
        }

        if (retention)
        {
            command.Options.Add(settings._retainDays);
            command.Options.Add(settings._retainGb);
        }

        if (offsite)
        {
            foreach (var option in new[] { settings._s3Endpoint, settings._s3Bucket, settings._s3Prefix, settings._s3Region, settings._s3AccessKeyEnv, settings._s3SecretKeyEnv })
            {
                command.Options.Add(option);
            }
        }

        return settings;
    }

    /// <summary>The config file's archive section (if any) with the flags applied. Throws <see cref="ArchiveConfigException"/>.</summary>
    public async Task<ArchiveConfig> ResolveAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var config = parse.GetValue(_config) is { } path ? await ArchiveConfigReader.ReadFileAsync(path, cancellationToken) : new ArchiveConfig();
        config = config with { Dir = parse.GetValue(_dir) ?? config.Dir };
        if (_key)
        {
            config = config with { KeyFile = parse.GetValue(_keyFile) ?? config.KeyFile, KeyEnv = parse.GetValue(_keyEnv) ?? config.KeyEnv };
        }

        if (_retention && (parse.GetValue(_retainDays) is not null || parse.GetValue(_retainGb) is not null))
        {
            config = config with
            {
                Retention = new RetentionConfig
                {
                    Days = parse.GetValue(_retainDays) ?? config.Retention?.Days,
                    Gigabytes = parse.GetValue(_retainGb) ?? config.Retention?.Gigabytes,
                },
            };
        }

        if (config.Retention is { Days: <= 0 } or { Gigabytes: <= 0 })
        {
            throw new ArchiveConfigException("--retain-days / --retain-gb must be positive");
        }

        if (_offsite && (parse.GetValue(_s3Bucket) is not null || config.Offsite is not null))
        {
            var offsite = config.Offsite ?? new OffsiteConfig();
            config = config with
            {
                Offsite = offsite with
                {
                    Endpoint = parse.GetValue(_s3Endpoint) ?? offsite.Endpoint,
                    Bucket = parse.GetValue(_s3Bucket) ?? offsite.Bucket,
                    Prefix = parse.GetValue(_s3Prefix) ?? offsite.Prefix,
                    Region = parse.GetValue(_s3Region) ?? offsite.Region,
                    AccessKeyEnv = parse.GetValue(_s3AccessKeyEnv) ?? offsite.AccessKeyEnv,
                    SecretKeyEnv = parse.GetValue(_s3SecretKeyEnv) ?? offsite.SecretKeyEnv,
                },
            };
        }

        return config;
    }

    /// <summary>What retention must respect: the oldest kept snapshot, and (with an off-site copy configured) segments not copied yet.</summary>
    public static IReadOnlyList<IRetentionPin> RetentionPins(ArchiveLayout layout, ArchiveConfig config)
    {
        var pins = new List<IRetentionPin> { new SnapshotRetentionPin(layout) };
        if (config.Offsite is { Bucket: { Length: > 0 } } offsite)
        {
            pins.Add(new OffsiteRetentionPin(layout, offsite.Target));
        }

        return pins;
    }

    /// <summary>The off-site store the config names (credentials resolved), or null when none is configured.</summary>
    public static S3OffsiteStore? OpenStore(ArchiveConfig config) => config.ToOffsiteOptions() is { } options ? new S3OffsiteStore(options) : null;

    /// <summary>Loads the key, mapping problems to <see cref="ArchiveKeyException"/> as the archive does.</summary>
    public static ArchiveKey? LoadKey(ArchiveConfig config) => config.LoadKey();
}

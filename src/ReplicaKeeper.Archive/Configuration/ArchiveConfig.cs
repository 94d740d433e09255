using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Configuration;

/// <summary>
/// The "archive" section of a ReplicaKeeper config file (also accepted as a file of its own):
/// <code>
/// { "archive": {
///     "source": "Server=127.0.0.1;Port=3306;User ID=rk_repl",   // no password here: passwordEnv
///     "passwordEnv": "RK_SOURCE_PASSWORD",
///     "dir": "/var/lib/replicakeeper/archive",
///     "keyFile": "/etc/replicakeeper/archive.key",             // or "keyEnv"; never the key itself
///     "retention": { "days": 30, "gigabytes": 200 },
///     "offsite": { "endpoint": "http://127.0.0.1:9000", "bucket": "clinic", "prefix": "archive/",
///                  "region": "us-east-1", "accessKeyEnv": "S3_KEY_ID", "secretKeyEnv": "S3_SECRET",
///                  "uploadIntervalSeconds": 60 } } }
/// </code>
/// Secrets never live in the file: <see cref="ArchiveConfigReader"/> refuses one that holds a key,
/// password or secret value, naming the property and where to put it instead.
/// </summary>
public sealed record ArchiveConfig
{
    public string? Source { get; init; }

    public string? PasswordEnv { get; init; }

    public string? Dir { get; init; }

    public string? KeyFile { get; init; }

    public string? KeyEnv { get; init; }

    public uint? ServerId { get; init; }

    public double? HeartbeatSeconds { get; init; }

    public RetentionConfig? Retention { get; init; }

    public OffsiteConfig? Offsite { get; init; }

    /// <summary>The archive layout; throws <see cref="ArchiveConfigException"/> when no directory is set.</summary>
    public ArchiveLayout Layout() =>
        new(string.IsNullOrWhiteSpace(Dir) ? throw new ArchiveConfigException("no archive directory: --dir or archive.dir in the config file") : Dir);

    /// <summary>Loads the key from <see cref="KeyFile"/> / <see cref="KeyEnv"/> (null when none is set).</summary>
    public ArchiveKey? LoadKey() => ArchiveKey.Load(KeyFile, KeyEnv);

    /// <summary>The retention policy, or null when neither days nor gigabytes are set.</summary>
    public RetentionPolicy? ToRetentionPolicy() =>
        Retention is { Days: null, Gigabytes: null } or null ? null : Retention.ToPolicy();

    /// <summary>Off-site store options with credentials resolved, or null when no bucket is configured.</summary>
    public S3OffsiteOptions? ToOffsiteOptions() => Offsite is { Bucket: { Length: > 0 } } ? Offsite.ToOptions() : null;
}

/// <summary>Retention: keep segments younger than <see cref="Days"/> and at most <see cref="Gigabytes"/> stored in total.</summary>
public sealed record RetentionConfig
{
    public double? Days { get; init; }

    public double? Gigabytes { get; init; }

    public RetentionPolicy ToPolicy() => new(
        Days is { } d ? TimeSpan.FromDays(d) : null,
        Gigabytes is { } g ? (long)(g * 1024 * 1024 * 1024) : null);
}

/// <summary>The S3-compatible off-site store; credentials are named (environment variables or files), never given.</summary>
public sealed record OffsiteConfig
{
    /// <summary>Service URL of an S3-compatible store; omit for AWS S3 itself.</summary>
    public string? Endpoint { get; init; }

    public string? Bucket { get; init; }

    public string? Prefix { get; init; }

    public string? Region { get; init; }

    public bool? ForcePathStyle { get; init; }

    public string? AccessKeyEnv { get; init; }

    public string? SecretKeyEnv { get; init; }

    public string? AccessKeyFile { get; init; }

    public string? SecretKeyFile { get; init; }

    /// <summary>How often the running archiver copies newly sealed segments (default 60 s).</summary>
    public double? UploadIntervalSeconds { get; init; }

    /// <summary>The store's name for messages and the upload ledger (see <see cref="S3OffsiteOptions.Target"/>); needs no credentials.</summary>
    public string Target => S3OffsiteOptions.TargetOf(string.IsNullOrWhiteSpace(Endpoint) ? null : Endpoint, Bucket ?? "", Prefix);

    public S3OffsiteOptions ToOptions() => new()
    {
        ServiceUrl = string.IsNullOrWhiteSpace(Endpoint) ? null : Endpoint,
        Bucket = string.IsNullOrWhiteSpace(Bucket) ? throw new ArchiveConfigException("archive.offsite.bucket: no bucket configured") : Bucket,
        Prefix = Prefix ?? "",
        Region = string.IsNullOrWhiteSpace(Region) ? "us-east-1" : Region,
        ForcePathStyle = ForcePathStyle,
        Credentials = S3Credentials.Load(AccessKeyEnv, SecretKeyEnv, AccessKeyFile, SecretKeyFile),
    };
}

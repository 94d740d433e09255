using MailKit.Security;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Failover.Notifications;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Standby.Apply;
using Serilog.Events;

namespace ReplicaKeeper.Cli.Configuration;

/// <summary>
/// The daemon's validated settings (secrets already resolved). Built by <see cref="DaemonConfigLoader"/> from
/// replicakeeper.json + REPLICAKEEPER__SECTION__KEY environment variables, or in code (the demo).
/// </summary>
public sealed record DaemonConfig
{
    public required SourceConfig Source { get; init; }

    public required ArchiveConfig Archive { get; init; }

    /// <summary>The standby applier (null: no standby).</summary>
    public StandbyConfig? Standby { get; init; }

    /// <summary>Scheduled snapshots of the standby (null: none).</summary>
    public SnapshotsConfig? Snapshots { get; init; }

    /// <summary>Scheduled restore drills (null: none).</summary>
    public DrillsConfig? Drills { get; init; }

    public HttpConfig Http { get; init; } = new();

    public LoggingConfig Logging { get; init; } = new();

    public NotificationsConfig Notifications { get; init; } = new();

    /// <summary>The daemon's own small state (the running marker that tells a crash from a clean stop).</summary>
    public required string StateDirectory { get; init; }
}

/// <summary>Section <c>Source</c>: the master the archiver (and the applier) stream from.</summary>
public sealed record SourceConfig
{
    /// <summary>Parsed connection with the password resolved; <see cref="ConnectionOptions.ToString"/> redacts it.</summary>
    public required ConnectionOptions Connection { get; init; }

    /// <summary>The same connection as a MySqlConnector connection string, password included: never log it.</summary>
    public required string ConnectionStringWithSecret { get; init; }

    /// <summary>Server id of the archiver's dump connection (null: random per start).</summary>
    public uint? ServerId { get; init; }

    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Key <c>Source:SemiSyncAck</c>: the archiver acknowledges each transaction to a semi-sync master once it is fsynced (archive --ack).</summary>
    public bool SemiSyncAck { get; init; }
}

/// <summary>Section <c>Archive</c>.</summary>
public sealed record ArchiveConfig
{
    public required string Directory { get; init; }

    /// <summary>Encrypts sealed segments (null: compression only). The daemon owns and disposes it.</summary>
    public ArchiveKey? Key { get; init; }

    /// <summary>For an empty archive: the binlog file to start at (default: the oldest the source has).</summary>
    public string? StartFile { get; init; }

    /// <summary>Retention policy (null: keep everything).</summary>
    public RetentionPolicy? Retention { get; init; }

    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the whole archive is verified (hash chain, gaps); the result feeds the ArchiveGap alert.</summary>
    public TimeSpan VerifyInterval { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Off-site copy of sealed segments (null: none).</summary>
    public S3OffsiteOptions? Offsite { get; init; }

    public TimeSpan OffsiteInterval { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>Section <c>Snapshots</c>: scheduled snapshots of the standby into the archive (needs a standby).</summary>
public sealed record SnapshotsConfig
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Snapshot retention: keep this many newest (null: no count limit).</summary>
    public int? KeepNewest { get; init; }

    /// <summary>Snapshot retention: drop snapshots older than this (null: no age limit).</summary>
    public TimeSpan? MaxAge { get; init; }
}

/// <summary>Section <c>Standby</c>.</summary>
public sealed record StandbyConfig
{
    /// <summary>MySqlConnector connection string of the standby, password included: never log it.</summary>
    public required string ConnectionStringWithSecret { get; init; }

    public string Channel { get; init; } = Standby.Positions.PositionStore.DefaultChannel;

    public ConflictPolicy OnConflict { get; init; } = ConflictPolicy.Stop;

    public uint? ServerId { get; init; }
}

/// <summary>Section <c>Drills</c>: scheduled restore drills into a scratch instance, compared with the standby.</summary>
public sealed record DrillsConfig
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The scratch instance the drill resets and restores into, password included: never log it.</summary>
    public required string ScratchConnectionStringWithSecret { get; init; }

    public bool UseSnapshots { get; init; } = true;

    /// <summary>Where the markdown/HTML drill reports go (null: none).</summary>
    public string? ReportDirectory { get; init; }
}

/// <summary>Section <c>Http</c>: the local status and metrics endpoint.</summary>
public sealed record HttpConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>A loopback address (the endpoint has no authentication).</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests, the demo).</summary>
    public int Port { get; init; } = 9187;
}

/// <summary>Section <c>Logging</c>.</summary>
public sealed record LoggingConfig
{
    public LogEventLevel Level { get; init; } = LogEventLevel.Information;

    /// <summary>Directory of the rolling JSON log files (null: console only).</summary>
    public string? Directory { get; init; }

    public int RetainedFiles { get; init; } = 14;

    public bool Console { get; init; } = true;
}

/// <summary>Section <c>Notifications</c>.</summary>
public sealed record NotificationsConfig
{
    public SmtpSettings? Smtp { get; init; }

    public Uri? Webhook { get; init; }

    public AlertThresholds Alerts { get; init; } = new();

    /// <summary>Local time of day to send the daily report (null: no daily report).</summary>
    public TimeOnly? DailyReportAt { get; init; }

    /// <summary>How often the alert rules are evaluated.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(15);

    public static SecureSocketOptions ParseSecurity(string text) => text.ToUpperInvariant() switch
    {
        "NONE" => SecureSocketOptions.None,
        "STARTTLS" => SecureSocketOptions.StartTls,
        "STARTTLSWHENAVAILABLE" or "AUTO" => SecureSocketOptions.StartTlsWhenAvailable,
        "SSLONCONNECT" or "TLS" => SecureSocketOptions.SslOnConnect,
        _ => throw new FormatException($"'{text}' is not one of None, StartTls, StartTlsWhenAvailable, SslOnConnect"),
    };
}

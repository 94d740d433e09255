namespace ReplicaKeeper.TestServers;

/// <summary>
/// How a <see cref="TestServer"/> is configured. Every instance writes ROW binlogs with FULL row image and
/// FULL row metadata, GTIDs on (MariaDB: gtid_strict_mode; MySQL: gtid_mode=ON), CRC32 checksums unless
/// <see cref="BinlogChecksumNone"/> is set. Variants are made with <c>with</c>:
/// <c>TestServerOptions.MySql with { Tls = true }</c>.
/// </summary>
public sealed record TestServerOptions
{
    public ServerFlavor Flavor { get; init; }

    /// <summary><c>--binlog-checksum=NONE</c> instead of CRC32.</summary>
    public bool BinlogChecksumNone { get; init; }

    /// <summary>MySQL only: <c>binlog_transaction_compression=ON</c> (TRANSACTION_PAYLOAD events, zstd).</summary>
    public bool TransactionCompression { get; init; }

    /// <summary>MariaDB only: <c>log_bin_compress=ON</c> with <c>log_bin_compress_min_len=10</c>, so small events are compressed too.</summary>
    public bool LogBinCompress { get; init; }

    /// <summary>Own self-signed CA and a server certificate for 127.0.0.1 (see <see cref="TestServer.CaCertificatePath"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>
    /// A plain standby instance: same binlog and GTID settings as a source (so it can be promoted later), its own
    /// server id. The flag documents intent; it changes no server option.
    /// </summary>
    public bool Standby { get; init; }

    /// <summary>Extra mysqld/mariadbd options, appended last (so they override the defaults).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>How long to wait for the server to answer <c>SELECT @@server_id</c> after launch.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>MariaDB 10.11 source: ROW, CRC32, FULL row metadata, annotate rows, gtid_strict_mode, binlog on.</summary>
    public static TestServerOptions MariaDb { get; } = new() { Flavor = ServerFlavor.MariaDb };

    /// <summary>MySQL 9.7 source: ROW, CRC32, FULL row metadata, gtid_mode=ON, binlog on.</summary>
    public static TestServerOptions MySql { get; } = new() { Flavor = ServerFlavor.MySql };

    internal void Validate()
    {
        if (TransactionCompression && Flavor != ServerFlavor.MySql)
        {
            throw new ArgumentException("TransactionCompression (binlog_transaction_compression) exists on MySQL only; MariaDB has LogBinCompress.");
        }

        if (LogBinCompress && Flavor != ServerFlavor.MariaDb)
        {
            throw new ArgumentException("LogBinCompress (log_bin_compress) exists on MariaDB only; MySQL has TransactionCompression.");
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("StartTimeout must be positive.");
        }
    }
}

namespace ReplicaKeeper.TestServers;

/// <summary>MariaDB 10.11 source: ROW, CRC32, FULL row metadata, annotate rows, GTID strict mode.</summary>
public sealed class MariaDbFixture() : TestServerFixture(TestServerOptions.MariaDb);

/// <summary>MariaDB source with binlog_checksum=NONE.</summary>
public sealed class MariaDbChecksumNoneFixture() : TestServerFixture(TestServerOptions.MariaDb with { BinlogChecksumNone = true });

/// <summary>MariaDB source with log_bin_compress=ON (compressed query and rows events).</summary>
public sealed class MariaDbLogBinCompressFixture() : TestServerFixture(TestServerOptions.MariaDb with { LogBinCompress = true });

/// <summary>MariaDB source with its own CA and a certificate for 127.0.0.1.</summary>
public sealed class MariaDbTlsFixture() : TestServerFixture(TestServerOptions.MariaDb with { Tls = true });

/// <summary>A plain MariaDB standby instance.</summary>
public sealed class MariaDbStandbyFixture() : TestServerFixture(TestServerOptions.MariaDb with { Standby = true });

/// <summary>MySQL 9.7 source: ROW, CRC32, FULL row metadata, gtid_mode=ON.</summary>
public sealed class MySqlFixture() : TestServerFixture(TestServerOptions.MySql);

/// <summary>MySQL source with binlog_checksum=NONE.</summary>
public sealed class MySqlChecksumNoneFixture() : TestServerFixture(TestServerOptions.MySql with { BinlogChecksumNone = true });

/// <summary>MySQL source with binlog_transaction_compression=ON (TRANSACTION_PAYLOAD events, zstd).</summary>
public sealed class MySqlTransactionCompressionFixture() : TestServerFixture(TestServerOptions.MySql with { TransactionCompression = true });

/// <summary>MySQL source with its own CA and a certificate for 127.0.0.1.</summary>
public sealed class MySqlTlsFixture() : TestServerFixture(TestServerOptions.MySql with { Tls = true });

/// <summary>A plain MySQL standby instance.</summary>
public sealed class MySqlStandbyFixture() : TestServerFixture(TestServerOptions.MySql with { Standby = true });

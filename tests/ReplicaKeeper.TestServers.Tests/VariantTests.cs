using MySqlConnector;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>
/// What every fixture variant must show. Expectations come from the fixture's options, so each concrete class
/// below checks that the server really runs with what its options asked for.
/// </summary>
public abstract class VariantTests<TFixture>(TFixture fixture, ITestOutputHelper output) : IClassFixture<TFixture>
    where TFixture : TestServerFixture
{
    protected TestServer Server => fixture.Server;

    private bool IsMariaDb => Server.Flavor == ServerFlavor.MariaDb;

    [Fact]
    public async Task Answers_a_MySqlConnector_query_over_tcp_as_itself()
    {
        await using var connection = await Server.OpenAdminConnectionAsync();
        await using var command = new MySqlCommand("SELECT @@server_id, @@port, @@version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(Server.ServerId, Convert.ToUInt32(reader.GetValue(0)));
        Assert.Equal(Server.Port, Convert.ToInt32(reader.GetValue(1)));
        Assert.Contains(IsMariaDb ? "10.11." : "9.7.", reader.GetString(2), StringComparison.Ordinal);
        Assert.Equal(IsMariaDb, reader.GetString(2).Contains("MariaDB", StringComparison.Ordinal));
        output.WriteLine($"{Server} started in {Server.StartDuration.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Writes_row_based_binlogs_with_full_image_and_full_metadata()
    {
        Assert.Equal(1L, await Server.ScalarAsync<long>("SELECT @@log_bin"));
        Assert.Equal("ROW", await Server.ScalarAsync<string>("SELECT @@binlog_format"));
        Assert.Equal("FULL", await Server.ScalarAsync<string>("SELECT @@binlog_row_image"));
        Assert.Equal("FULL", await Server.ScalarAsync<string>("SELECT @@binlog_row_metadata"));
        if (IsMariaDb)
        {
            Assert.Equal(1L, await Server.ScalarAsync<long>("SELECT @@binlog_annotate_row_events"));
        }
    }

    [Fact]
    public async Task Binlog_checksum_is_what_the_options_asked_for()
    {
        var expected = Server.Options.BinlogChecksumNone ? "NONE" : "CRC32";
        Assert.Equal(expected, await Server.ScalarAsync<string>("SELECT @@global.binlog_checksum"));
    }

    [Fact]
    public async Task Gtids_are_on()
    {
        if (IsMariaDb)
        {
            Assert.Equal(1L, await Server.ScalarAsync<long>("SELECT @@gtid_strict_mode"));
        }
        else
        {
            Assert.Equal("ON", await Server.ScalarAsync<string>("SELECT @@gtid_mode"));
            Assert.Equal("ON", await Server.ScalarAsync<string>("SELECT @@enforce_gtid_consistency"));
        }
    }

    [Fact]
    public async Task Binlog_compression_is_what_the_options_asked_for()
    {
        if (IsMariaDb)
        {
            Assert.Equal(Server.Options.LogBinCompress ? 1L : 0L, await Server.ScalarAsync<long>("SELECT @@log_bin_compress"));
            if (Server.Options.LogBinCompress)
            {
                Assert.Equal(10L, await Server.ScalarAsync<long>("SELECT @@log_bin_compress_min_len"));
            }
        }
        else
        {
            Assert.Equal(Server.Options.TransactionCompression ? 1L : 0L, await Server.ScalarAsync<long>("SELECT @@binlog_transaction_compression"));
        }
    }

    [Fact]
    public async Task Tls_is_what_the_options_asked_for()
    {
        if (Server.Options.Tls)
        {
            Assert.NotNull(Server.CaCertificatePath);
            Assert.True(File.Exists(Server.CaCertificatePath));

            // the admin string verifies the chain against the fixture's CA; VerifyFull also checks the 127.0.0.1 SAN
            foreach (var mode in new[] { MySqlSslMode.VerifyCA, MySqlSslMode.VerifyFull })
            {
                var builder = new MySqlConnectionStringBuilder(Server.ReplicationConnectionString) { SslMode = mode, Pooling = false };
                await using var connection = new MySqlConnection(builder.ConnectionString);
                await connection.OpenAsync();
                await using var command = new MySqlCommand("SHOW SESSION STATUS LIKE 'Ssl_cipher'", connection);
                await using var reader = await command.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                Assert.NotEqual(string.Empty, reader.GetString(1));
            }

            if (IsMariaDb)
            {
                Assert.Equal("YES", await Server.ScalarAsync<string>("SELECT @@have_ssl"));
            }

            Assert.EndsWith("/ca.pem", await Server.ScalarAsync<string>("SELECT @@ssl_ca"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(Server.CaCertificatePath);
            if (IsMariaDb)
            {
                Assert.Equal("DISABLED", await Server.ScalarAsync<string>("SELECT @@have_ssl"));
            }
            else
            {
                // MySQL uses the certificates it generated at initialization
                Assert.Equal("ca.pem", await Server.ScalarAsync<string>("SELECT @@ssl_ca"));
            }
        }
    }

    /// <summary>TLS variants: a client that verifies against the system trust store instead of the fixture's CA fails.</summary>
    protected async Task AssertRejectsClientsThatDoNotTrustItsCaAsync()
    {
        var builder = new MySqlConnectionStringBuilder(Server.AdminConnectionString) { SslMode = MySqlSslMode.VerifyCA, SslCa = string.Empty, Pooling = false };
        await using var connection = new MySqlConnection(builder.ConnectionString);
        await Assert.ThrowsAnyAsync<Exception>(() => connection.OpenAsync());
    }

    [Fact]
    public async Task Replication_user_has_exactly_the_replication_grants()
    {
        await using var connection = new MySqlConnection(Server.ReplicationConnectionString);
        await connection.OpenAsync();
        var grants = new List<string>();
        await using (var command = new MySqlCommand("SHOW GRANTS", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                grants.Add(reader.GetString(0));
            }
        }

        var grant = Assert.Single(grants);
        Assert.StartsWith("GRANT ", grant, StringComparison.Ordinal);
        Assert.Contains($" ON *.* TO `{Server.ReplicationUser}`@`%`", grant, StringComparison.Ordinal);
        var privileges = grant["GRANT ".Length..grant.IndexOf(" ON ", StringComparison.Ordinal)]
            .Split(',', StringSplitOptions.TrimEntries)
            .Order(StringComparer.Ordinal);

        // MariaDB 10.5+ shows REPLICATION CLIENT under its new name BINLOG MONITOR
        string[] expected = IsMariaDb ? ["BINLOG MONITOR", "REPLICATION SLAVE"] : ["REPLICATION CLIENT", "REPLICATION SLAVE"];
        Assert.Equal(expected, privileges);

        await using var denied = new MySqlCommand("SELECT COUNT(*) FROM mysql.user", connection);
        await Assert.ThrowsAsync<MySqlException>(() => denied.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Admin_user_has_all_privileges_with_grant_option()
    {
        var grants = await Server.ScalarAsync<string>("SHOW GRANTS");
        Assert.NotNull(grants);
        Assert.StartsWith("GRANT ", grants, StringComparison.Ordinal);
        Assert.EndsWith("WITH GRANT OPTION", grants, StringComparison.Ordinal);
        Assert.Contains(IsMariaDb ? "ALL PRIVILEGES" : "SUPER", grants, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binlog_starts_clean_and_records_new_transactions_with_gtids()
    {
        Assert.Equal(["bin.000001"], await Server.BinlogFilesAsync());
        var file = Server.BinlogPath("bin.000001");
        Assert.True(File.Exists(file));
        var magic = new byte[4];
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            await stream.ReadExactlyAsync(magic);
        }

        Assert.Equal(new byte[] { 0xFE, (byte)'b', (byte)'i', (byte)'n' }, magic);
        var gtidSql = IsMariaDb ? "SELECT @@gtid_binlog_pos" : "SELECT @@gtid_executed";
        Assert.Equal(string.Empty, await Server.ScalarAsync<string>(gtidSql));

        await Server.ExecuteAsync("CREATE DATABASE clinic; CREATE TABLE clinic.visits (id INT PRIMARY KEY, note VARCHAR(50)); INSERT INTO clinic.visits VALUES (1, 'first visit');");

        var gtids = await Server.ScalarAsync<string>(gtidSql);
        Assert.False(string.IsNullOrEmpty(gtids));
        if (IsMariaDb)
        {
            Assert.Equal($"0-{Server.ServerId}-3", gtids);
        }
        else
        {
            Assert.Equal($"{await Server.ScalarAsync<string>("SELECT @@server_uuid")}:1-3", gtids);
        }
    }

    [Fact]
    public async Task Command_line_client_and_binlog_tool_work_against_the_instance()
    {
        var client = await Server.RunClientAsync("SELECT @@server_id AS id;");
        Assert.Equal(0, client.ExitCode);
        Assert.Equal($"id\n{Server.ServerId}\n", client.StandardOutput);

        var tool = await Server.RunBinlogToolAsync([Server.BinlogPath("bin.000001")]);
        Assert.True(tool.ExitCode == 0, tool.StandardError);
        Assert.Contains($"server id {Server.ServerId}", tool.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Start: binlog v 4", tool.StandardOutput, StringComparison.Ordinal);
    }
}

public sealed class MariaDbDefaultVariant(MariaDbFixture fixture, ITestOutputHelper output) : VariantTests<MariaDbFixture>(fixture, output);

public sealed class MariaDbChecksumNoneVariant(MariaDbChecksumNoneFixture fixture, ITestOutputHelper output) : VariantTests<MariaDbChecksumNoneFixture>(fixture, output);

public sealed class MariaDbLogBinCompressVariant(MariaDbLogBinCompressFixture fixture, ITestOutputHelper output) : VariantTests<MariaDbLogBinCompressFixture>(fixture, output);

public sealed class MariaDbTlsVariant(MariaDbTlsFixture fixture, ITestOutputHelper output) : VariantTests<MariaDbTlsFixture>(fixture, output)
{
    [Fact]
    public Task Rejects_clients_that_do_not_trust_its_ca() => AssertRejectsClientsThatDoNotTrustItsCaAsync();
}

public sealed class MariaDbStandbyVariant(MariaDbStandbyFixture fixture, ITestOutputHelper output) : VariantTests<MariaDbStandbyFixture>(fixture, output);

public sealed class MySqlDefaultVariant(MySqlFixture fixture, ITestOutputHelper output) : VariantTests<MySqlFixture>(fixture, output);

public sealed class MySqlChecksumNoneVariant(MySqlChecksumNoneFixture fixture, ITestOutputHelper output) : VariantTests<MySqlChecksumNoneFixture>(fixture, output);

public sealed class MySqlTransactionCompressionVariant(MySqlTransactionCompressionFixture fixture, ITestOutputHelper output) : VariantTests<MySqlTransactionCompressionFixture>(fixture, output);

public sealed class MySqlTlsVariant(MySqlTlsFixture fixture, ITestOutputHelper output) : VariantTests<MySqlTlsFixture>(fixture, output)
{
    [Fact]
    public Task Rejects_clients_that_do_not_trust_its_ca() => AssertRejectsClientsThatDoNotTrustItsCaAsync();
}

public sealed class MySqlStandbyVariant(MySqlStandbyFixture fixture, ITestOutputHelper output) : VariantTests<MySqlStandbyFixture>(fixture, output);

using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>The reference binlog tools: mysqlbinlog inside the chroot reads host files; replay into another server.</summary>
public sealed class BinlogToolTests
{
    [Fact]
    public async Task Binlog_tool_of_the_mysql_chroot_reads_files_from_outside_the_chroot()
    {
        await using var server = await TestServer.StartAsync(TestServerOptions.MySql with { TransactionCompression = true });
        await server.ExecuteAsync("CREATE DATABASE clinic; CREATE TABLE clinic.notes (id INT PRIMARY KEY, body TEXT); INSERT INTO clinic.notes VALUES (1, 'x-ray booked');");
        await server.ExecuteAsync("FLUSH BINARY LOGS");
        var outside = Path.Combine(Path.GetTempPath(), $"rk-copy-{Guid.NewGuid():N}.000001");
        File.Copy(server.BinlogPath("bin.000001"), outside);
        try
        {
            var result = await server.RunBinlogToolAsync(["-vv", "--base64-output=decode-rows", outside]);
            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Contains("Transaction_Payload", result.StandardOutput, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("'x-ray booked'", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MariaDb, ServerFlavor.MySql };

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Replaying_a_source_binlog_into_a_standby_reproduces_its_rows_and_gtids(ServerFlavor flavor)
    {
        var options = flavor == ServerFlavor.MySql ? TestServerOptions.MySql : TestServerOptions.MariaDb;
        var sourceStart = TestServer.StartAsync(options);
        var standbyStart = TestServer.StartAsync(options with { Standby = true });
        await using var source = await sourceStart;
        await using var standby = await standbyStart;
        await source.ExecuteAsync("""
            CREATE DATABASE clinic;
            CREATE TABLE clinic.patients (id INT PRIMARY KEY, name VARCHAR(40), note BLOB);
            INSERT INTO clinic.patients VALUES (1, 'Zoë O''Brien', X'00FF10'), (2, 'Ana', NULL);
            UPDATE clinic.patients SET name = 'Ana María' WHERE id = 2;
            """);
        await source.ExecuteAsync("FLUSH BINARY LOGS");

        var result = await standby.ReplayBinlogAsync([source.BinlogPath("bin.000001")]);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal(
            await source.ScalarAsync<string>("SELECT GROUP_CONCAT(id, ':', name, ':', COALESCE(HEX(note), '-') ORDER BY id) FROM clinic.patients"),
            await standby.ScalarAsync<string>("SELECT GROUP_CONCAT(id, ':', name, ':', COALESCE(HEX(note), '-') ORDER BY id) FROM clinic.patients"));
        var gtidSql = flavor == ServerFlavor.MySql ? "SELECT @@gtid_executed" : "SELECT @@gtid_binlog_pos";
        Assert.Equal(await source.ScalarAsync<string>(gtidSql), await standby.ScalarAsync<string>(gtidSql));
    }
}

using Xunit;

namespace ReplicaKeeper.TestServers.Tests;

/// <summary>mysqlbinlog inside the chroot reads host files.</summary>
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
}

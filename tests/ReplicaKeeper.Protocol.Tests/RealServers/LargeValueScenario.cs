using System.Diagnostics;
using System.Text;
using ReplicaKeeper.Protocol.Commands;

namespace ReplicaKeeper.Protocol.Tests.RealServers;

internal static class LargeValueScenario
{
    /// <summary>A 20 MB result value (server → client split), a 17 MB query (client → server split), NULLs.</summary>
    public static async Task RunAsync(ConnectionOptions options)
    {
        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(options, CancellationToken.None);

        var stopwatch = Stopwatch.StartNew();
        QueryResult big = await connection.QueryAsync("SELECT REPEAT('ab', 10000000) AS big, NULL AS nothing, 'x' AS small, CAST(NULL AS CHAR) AS alsonull", CancellationToken.None);
        TimeSpan readTime = stopwatch.Elapsed;
        Assert.Equal(["big", "nothing", "small", "alsonull"], big.Columns.Select(c => c.Name));
        string? value = big.Rows[0][0];
        Assert.NotNull(value);
        Assert.Equal(20_000_000, value.Length);
        Assert.True(value.StartsWith("abab", StringComparison.Ordinal) && value.EndsWith("abab", StringComparison.Ordinal));
        Assert.Null(big.Rows[0][1]);
        Assert.Equal("x", big.Rows[0][2]);
        Assert.Null(big.Rows[0][3]);

        var literal = new StringBuilder("SELECT LENGTH('", 17_000_100);
        literal.Append('z', 17_000_000).Append("'), UPPER('end')");
        stopwatch.Restart();
        QueryResult length = await connection.QueryAsync(literal.ToString(), CancellationToken.None);
        TimeSpan writeTime = stopwatch.Elapsed;
        Assert.Equal("17000000", length.Rows[0][0]);
        Assert.Equal("END", length.Rows[0][1]);

        Console.WriteLine($"{options.EffectiveTlsMode}: 20 MB value read in {readTime.TotalMilliseconds:F0} ms, 17 MB query sent and answered in {writeTime.TotalMilliseconds:F0} ms");
    }

    /// <summary>COM_PING through the raw command API, then an error reply that leaves the connection usable.</summary>
    public static async Task PingAndErrorAsync(ConnectionOptions options)
    {
        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(options, CancellationToken.None);
        await connection.WriteCommandAsync(new[] { CommandCode.Ping }, CancellationToken.None);
        await connection.ReadOkPacketAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await connection.ExecuteAsync("SELECT * FROM mysql.no_such_table", CancellationToken.None));
        Assert.Equal(1146, error.ErrorCode);
        Assert.Equal("42S02", error.SqlState);
        Assert.False(connection.IsBroken);

        await connection.ExecuteAsync("DO 1", CancellationToken.None);
        QueryResult one = await connection.QueryAsync("SELECT 1 + 1", CancellationToken.None);
        Assert.Equal("2", one.Rows[0][0]);
    }
}

using System.Text;
using ReplicaKeeper.Protocol.Tests.Fakes;

namespace ReplicaKeeper.Protocol.Tests.Connection;

/// <summary>Commands and result sets against a scripted server.</summary>
public class CommandTests
{
    private const int Max = 0xFFFFFF;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_a_text_result_set_with_nulls_with_and_without_deprecate_eof(bool deprecateEof)
    {
        uint capabilities = deprecateEof ? FakeClient.MySqlCapabilities : FakeClient.MySqlCapabilities & ~FakeClient.CapDeprecateEof;
        string? sql = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct, capabilities);
            byte[] command = await client.ReadCommandAsync(ct);
            sql = Encoding.UTF8.GetString(command, 1, command.Length - 1);
            Assert.Equal(0x03, command[0]);
            await client.SendAsync([2], ct);
            await client.SendAsync(ColumnDefinition("id"), ct);
            await client.SendAsync(ColumnDefinition("name"), ct);
            if (!deprecateEof)
            {
                await client.SendAsync([0xFE, 0, 0, 2, 0], ct);
            }

            await client.SendAsync([1, (byte)'1', 0xFB], ct);
            await client.SendAsync([1, (byte)'2', 3, .. "b\u00e9"u8], ct);
            await client.SendAsync(deprecateEof ? [0xFE, 0, 0, 2, 0, 0, 0] : [0xFE, 0, 0, 2, 0], ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        QueryResult result = await connection.QueryAsync("SELECT id, name FROM t", CancellationToken.None);

        Assert.Equal("SELECT id, name FROM t", sql);
        Assert.Equal(["id", "name"], result.Columns.Select(c => c.Name));
        Assert.Equal(2, result.Rows.Count);
        Assert.Equal(new string?[] { "1", null }, result.Rows[0].AsEnumerable());
        Assert.Equal(new string?[] { "2", "bé" }, result.Rows[1].AsEnumerable());
        Assert.Equal("bé", result.Value(1, "NAME"));
    }

    [Fact]
    public async Task Surfaces_a_query_error_and_stays_usable()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadCommandAsync(ct);
            await client.SendErrorAsync(1146, "42S02", "Table 'db.missing' doesn't exist", ct);
            await client.ReadCommandAsync(ct);
            await client.SendAsync([0x00, 0x03, 0x07, 0x02, 0x00, 0x00, 0x00], ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<MySqlServerException>(async () => await connection.QueryAsync("SELECT * FROM missing", CancellationToken.None));
        Assert.Equal(1146, error.ErrorCode);
        Assert.Equal("42S02", error.SqlState);
        Assert.Equal("Table 'db.missing' doesn't exist", error.ServerMessage);
        Assert.False(connection.IsBroken);

        QueryResult ok = await connection.QueryAsync("DELETE FROM t", CancellationToken.None);
        Assert.Empty(ok.Columns);
        Assert.Equal(3UL, ok.AffectedRows);
        Assert.Equal(7UL, ok.LastInsertId);
    }

    [Fact]
    public async Task Writes_a_command_larger_than_16_MiB_as_continuation_packets_ending_with_an_empty_one()
    {
        byte[] command = TestFraming.Payload(2 * Max, 5);
        List<(int Length, byte SequenceId, byte[] Payload)> received = [];
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            for (int i = 0; i < 3; i++)
            {
                received.Add(await client.ReadPhysicalPacketAsync(ct));
            }

            await client.ReadToEndAsync(ct);
        });

        await using (ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None))
        {
            await connection.WriteCommandAsync(command, CancellationToken.None);
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal([Max, Max, 0], received.Select(p => p.Length));
        Assert.Equal(new byte[] { 0, 1, 2 }, received.Select(p => p.SequenceId));
        Assert.True(received.SelectMany(p => p.Payload).SequenceEqual(command));
    }

    [Fact]
    public async Task Reads_a_server_payload_larger_than_16_MiB_and_the_next_packet_after_it()
    {
        byte[] big = TestFraming.Payload((2 * Max) + 1234, 6);
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadCommandAsync(ct);
            await client.SendAsync(big, ct);
            await client.SendAsync([0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        await connection.WriteCommandAsync(new byte[] { 0x12 }, CancellationToken.None);
        ReadOnlyMemory<byte> read = await connection.ReadPacketAsync(CancellationToken.None);
        Assert.Equal(big.Length, read.Length);
        Assert.True(read.Span.SequenceEqual(big));
        Assert.Equal(0UL, (await connection.ReadOkPacketAsync(CancellationToken.None)).AffectedRows);
    }

    [Fact]
    public async Task Rejects_a_response_with_a_bad_sequence_id_and_marks_the_connection_broken()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadCommandAsync(ct);
            await client.SendPhysicalPacketAsync(3, [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00], ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<MySqlProtocolException>(async () => await connection.ExecuteAsync("DO 1", CancellationToken.None));
        Assert.Contains("expected sequence id 1, received 3", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await connection.ExecuteAsync("DO 1", CancellationToken.None));
    }

    [Fact]
    public async Task Reports_a_connection_closed_mid_packet_while_reading_a_result()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadCommandAsync(ct);
            await client.SendRawAsync([0x10, 0x27, 0x00, 0x01, 1, 2, 3], ct);
            client.Close();
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        var error = await Assert.ThrowsAsync<MySqlConnectionClosedException>(async () =>
            await connection.QueryAsync("SELECT 1", CancellationToken.None).AsTask().WaitAsync(TestTimeout));
        Assert.Contains("in the middle of a 10000-byte packet", error.Message, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task Cancels_a_pending_read_promptly_and_marks_the_connection_broken()
    {
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            await client.ReadToEndAsync(ct);
        });

        await using ProtocolConnection connection = await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await connection.ReadPacketAsync(cancel.Token).AsTask().WaitAsync(TestTimeout));
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task Sends_com_quit_on_dispose()
    {
        byte[]? afterLogin = null;
        await using var server = FakeServer.Start(async (client, ct) =>
        {
            await client.AcceptLoginAsync(ct);
            afterLogin = await client.ReadToEndAsync(ct);
        });

        await using (await ProtocolConnection.OpenAsync(server.Options(), CancellationToken.None))
        {
        }

        await server.Completion.WaitAsync(TestTimeout);
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0x01 }, afterLogin);
    }

    private static byte[] ColumnDefinition(string name)
    {
        var p = new MemoryStream();
        void Lenenc(string s)
        {
            byte[] b = Encoding.UTF8.GetBytes(s);
            p.WriteByte((byte)b.Length);
            p.Write(b);
        }

        Lenenc("def");
        Lenenc("db");
        Lenenc("t");
        Lenenc("t");
        Lenenc(name);
        Lenenc(name);
        p.WriteByte(0x0C);
        p.Write(BitConverter.GetBytes((ushort)45));
        p.Write(BitConverter.GetBytes(255u));
        p.WriteByte(0xFD);
        p.Write(BitConverter.GetBytes((ushort)0));
        p.WriteByte(0);
        p.Write(new byte[2]);
        return p.ToArray();
    }
}

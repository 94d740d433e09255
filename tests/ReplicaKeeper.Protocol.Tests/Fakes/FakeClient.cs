using System.Net.Sockets;
using System.Text;

namespace ReplicaKeeper.Protocol.Tests.Fakes;

/// <summary>The fake server's side of one connection: raw packets plus handshake helpers.</summary>
internal sealed class FakeClient(NetworkStream stream, Socket socket)
{
    public const uint CapLongPassword = 1;
    public const uint CapConnectWithDb = 1 << 3;
    public const uint CapProtocol41 = 1 << 9;
    public const uint CapSsl = 1 << 11;
    public const uint CapTransactions = 1 << 13;
    public const uint CapSecureConnection = 1 << 15;
    public const uint CapMultiResults = 1 << 17;
    public const uint CapPluginAuth = 1 << 19;
    public const uint CapConnectAttrs = 1 << 20;
    public const uint CapLenencClientData = 1 << 21;
    public const uint CapDeprecateEof = 1 << 24;

    /// <summary>A typical MySQL 8/9 capability set without TLS.</summary>
    public const uint MySqlCapabilities =
        CapLongPassword | 4 | CapConnectWithDb | CapProtocol41 | CapTransactions | CapSecureConnection
        | CapMultiResults | CapPluginAuth | CapConnectAttrs | CapLenencClientData | CapDeprecateEof;

    public NetworkStream Stream { get; } = stream;

    /// <summary>Next sequence id this side sends (and expects).</summary>
    public byte Sequence { get; set; }

    public static byte[] Nonce20 { get; } = Encoding.ASCII.GetBytes("abcdefghij0123456789");

    public async Task SendRawAsync(byte[] bytes, CancellationToken ct)
    {
        await Stream.WriteAsync(bytes, ct);
        await Stream.FlushAsync(ct);
    }

    /// <summary>Sends one physical packet with an explicit sequence id (no splitting).</summary>
    public Task SendPhysicalPacketAsync(byte sequenceId, byte[] payload, CancellationToken ct)
    {
        byte[] packet = new byte[payload.Length + 4];
        packet[0] = (byte)payload.Length;
        packet[1] = (byte)(payload.Length >> 8);
        packet[2] = (byte)(payload.Length >> 16);
        packet[3] = sequenceId;
        payload.CopyTo(packet, 4);
        return SendRawAsync(packet, ct);
    }

    /// <summary>Sends a logical payload (split as needed) with the running sequence id.</summary>
    public Task SendAsync(byte[] payload, CancellationToken ct)
    {
        byte sequence = Sequence;
        byte[] framed = TestFraming.Frame(payload, ref sequence);
        Sequence = sequence;
        return SendRawAsync(framed, ct);
    }

    public async Task<(int Length, byte SequenceId, byte[] Payload)> ReadPhysicalPacketAsync(CancellationToken ct)
    {
        byte[] header = new byte[4];
        await Stream.ReadExactlyAsync(header, ct);
        int length = header[0] | (header[1] << 8) | (header[2] << 16);
        byte[] payload = new byte[length];
        await Stream.ReadExactlyAsync(payload, ct);
        return (length, header[3], payload);
    }

    /// <summary>Reads a logical payload, asserting the running sequence id.</summary>
    public async Task<byte[]> ReadAsync(CancellationToken ct)
    {
        var joined = new MemoryStream();
        while (true)
        {
            (int length, byte sequenceId, byte[] payload) = await ReadPhysicalPacketAsync(ct);
            if (sequenceId != Sequence)
            {
                throw new InvalidOperationException($"Fake server expected sequence id {Sequence}, client sent {sequenceId}.");
            }

            Sequence++;
            joined.Write(payload);
            if (length < TestFraming.Max)
            {
                return joined.ToArray();
            }
        }
    }

    public Task SendHandshakeAsync(
        CancellationToken ct,
        string version = "9.7.4",
        uint capabilities = MySqlCapabilities,
        string plugin = "caching_sha2_password",
        byte[]? nonce = null,
        uint mariaDbCapabilities = 0)
    {
        nonce ??= Nonce20;
        var p = new MemoryStream();
        p.WriteByte(10);
        p.Write(Encoding.ASCII.GetBytes(version));
        p.WriteByte(0);
        p.Write(BitConverter.GetBytes(42u));
        p.Write(nonce, 0, 8);
        p.WriteByte(0);
        p.Write(BitConverter.GetBytes((ushort)capabilities));
        p.WriteByte(255);
        p.Write(BitConverter.GetBytes((ushort)2));
        p.Write(BitConverter.GetBytes((ushort)(capabilities >> 16)));
        p.WriteByte((byte)(nonce.Length + 1));
        p.Write(new byte[6]);
        p.Write(BitConverter.GetBytes(mariaDbCapabilities));
        p.Write(nonce, 8, nonce.Length - 8);
        p.WriteByte(0);
        p.Write(Encoding.ASCII.GetBytes(plugin));
        p.WriteByte(0);
        Sequence = 0;
        return SendAsync(p.ToArray(), ct);
    }

    public async Task<HandshakeResponseInfo> ReadHandshakeResponseAsync(CancellationToken ct)
    {
        byte[] payload = await ReadAsync(ct);
        return HandshakeResponseInfo.Parse(payload);
    }

    public Task SendOkAsync(CancellationToken ct, ushort status = 2) =>
        SendAsync([0x00, 0x00, 0x00, (byte)status, (byte)(status >> 8), 0x00, 0x00], ct);

    public Task SendErrorAsync(ushort code, string sqlState, string message, CancellationToken ct)
    {
        var p = new MemoryStream();
        p.WriteByte(0xFF);
        p.Write(BitConverter.GetBytes(code));
        p.WriteByte((byte)'#');
        p.Write(Encoding.ASCII.GetBytes(sqlState));
        p.Write(Encoding.UTF8.GetBytes(message));
        return SendAsync(p.ToArray(), ct);
    }

    /// <summary>Handshake with the given plugin, read the response, answer OK. Returns the response.</summary>
    public async Task<HandshakeResponseInfo> AcceptLoginAsync(CancellationToken ct, uint capabilities = MySqlCapabilities)
    {
        await SendHandshakeAsync(ct, capabilities: capabilities, plugin: "mysql_native_password");
        HandshakeResponseInfo response = await ReadHandshakeResponseAsync(ct);
        await SendOkAsync(ct);
        return response;
    }

    /// <summary>Reads the next command (sequence id 0) and returns its payload.</summary>
    public Task<byte[]> ReadCommandAsync(CancellationToken ct)
    {
        Sequence = 0;
        return ReadAsync(ct);
    }

    public void Close() => socket.Close();

    /// <summary>Waits until the client closes its side (read returns 0) and returns what arrived before.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken ct)
    {
        var all = new MemoryStream();
        await Stream.CopyToAsync(all, ct);
        return all.ToArray();
    }
}

internal sealed record HandshakeResponseInfo(uint Capabilities, string User, byte[] AuthResponse, string? Database, string? Plugin, Dictionary<string, string> Attributes)
{
    public static HandshakeResponseInfo Parse(byte[] payload)
    {
        int offset = 0;
        uint capabilities = BitConverter.ToUInt32(payload, 0);
        offset += 32;
        string user = ReadNul(payload, ref offset);
        byte[] auth;
        if ((capabilities & FakeClient.CapLenencClientData) != 0)
        {
            int length = ReadLenenc(payload, ref offset);
            auth = payload.AsSpan(offset, length).ToArray();
            offset += length;
        }
        else
        {
            int length = payload[offset++];
            auth = payload.AsSpan(offset, length).ToArray();
            offset += length;
        }

        string? database = (capabilities & FakeClient.CapConnectWithDb) != 0 ? ReadNul(payload, ref offset) : null;
        string? plugin = (capabilities & FakeClient.CapPluginAuth) != 0 ? ReadNul(payload, ref offset) : null;
        var attributes = new Dictionary<string, string>();
        if ((capabilities & FakeClient.CapConnectAttrs) != 0)
        {
            int total = ReadLenenc(payload, ref offset);
            int end = offset + total;
            while (offset < end)
            {
                int keyLength = ReadLenenc(payload, ref offset);
                string key = Encoding.UTF8.GetString(payload, offset, keyLength);
                offset += keyLength;
                int valueLength = ReadLenenc(payload, ref offset);
                attributes[key] = Encoding.UTF8.GetString(payload, offset, valueLength);
                offset += valueLength;
            }
        }

        if (offset != payload.Length)
        {
            throw new InvalidOperationException($"Handshake response has {payload.Length - offset} trailing bytes.");
        }

        return new HandshakeResponseInfo(capabilities, user, auth, database, plugin, attributes);
    }

    private static string ReadNul(byte[] payload, ref int offset)
    {
        int end = Array.IndexOf(payload, (byte)0, offset);
        string value = Encoding.UTF8.GetString(payload, offset, end - offset);
        offset = end + 1;
        return value;
    }

    private static int ReadLenenc(byte[] payload, ref int offset)
    {
        byte first = payload[offset++];
        if (first < 0xFB)
        {
            return first;
        }

        if (first == 0xFC)
        {
            int value = payload[offset] | (payload[offset + 1] << 8);
            offset += 2;
            return value;
        }

        throw new InvalidOperationException("Length too large for the fake server.");
    }
}

using System.Text;
using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol.Handshake;

/// <summary>The server's first packet, protocol version 10 (Protocol::HandshakeV10).</summary>
internal sealed record InitialHandshake(
    string ServerVersion,
    uint ConnectionId,
    byte[] Nonce,
    CapabilityFlags Capabilities,
    byte CharacterSet,
    ServerStatusFlags Status,
    string? AuthPluginName)
{
    private const string MariaDbReplicationPrefix = "5.5.5-";

    /// <summary>
    /// Parses the handshake. An ERR packet here (too many connections, host blocked) becomes a
    /// <see cref="MySqlServerException"/>; anything else malformed a <see cref="MySqlProtocolException"/>.
    /// </summary>
    public static InitialHandshake Parse(ReadOnlySpan<byte> payload)
    {
        if (PacketHeader.IsError(payload))
        {
            throw MySqlServerException.FromErrorPacket(payload, "The server refused the connection");
        }

        var reader = new PayloadReader(payload, "handshake");
        byte protocolVersion = reader.ReadByte();
        if (protocolVersion != 10)
        {
            throw new MySqlProtocolException(
                $"Unsupported handshake protocol version {protocolVersion}: only protocol 10 (MySQL 4.1+ / MariaDB) is supported.");
        }

        string version = Encoding.UTF8.GetString(reader.ReadNullTerminatedBytes());
        uint connectionId = reader.ReadUInt32();
        ReadOnlySpan<byte> nonce1 = reader.ReadBytes(8);
        reader.Skip(1);
        var capabilities = (CapabilityFlags)reader.ReadUInt16();
        byte characterSet = 0;
        var status = ServerStatusFlags.None;
        ReadOnlySpan<byte> nonce2 = [];
        string? pluginName = null;
        if (reader.HasRemaining)
        {
            characterSet = reader.ReadByte();
            status = (ServerStatusFlags)reader.ReadUInt16();
            capabilities |= (CapabilityFlags)((ulong)reader.ReadUInt16() << 16);
            int nonceLength = reader.ReadByte();
            reader.Skip(6);
            uint mariaDbCapabilities = reader.ReadUInt32();
            if ((capabilities & CapabilityFlags.LongPassword) == 0)
            {
                capabilities |= (CapabilityFlags)((ulong)mariaDbCapabilities << 32);
            }

            if ((capabilities & CapabilityFlags.SecureConnection) != 0)
            {
                nonce2 = reader.ReadBytes(Math.Max(13, nonceLength - 8));
            }

            if ((capabilities & CapabilityFlags.PluginAuth) != 0)
            {
                // Some old servers omit the terminating NUL.
                pluginName = Encoding.UTF8.GetString(reader.ReadNullTerminatedOrRestBytes());
            }
        }

        byte[] nonce = new byte[nonce1.Length + nonce2.Length];
        nonce1.CopyTo(nonce);
        nonce2.CopyTo(nonce.AsSpan(nonce1.Length));
        if (nonce.Length > 8 && nonce[^1] == 0)
        {
            nonce = nonce[..^1];
        }

        if (version.StartsWith(MariaDbReplicationPrefix, StringComparison.Ordinal) && version.Contains("MariaDB", StringComparison.Ordinal))
        {
            version = version[MariaDbReplicationPrefix.Length..];
        }

        return new InitialHandshake(version, connectionId, nonce, capabilities, characterSet, status, pluginName);
    }
}

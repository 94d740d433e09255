using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol.Handshake;

/// <summary>Builds the client's answer to the handshake (Protocol::HandshakeResponse41) and the SSL request.</summary>
internal static class HandshakeResponse
{
    /// <summary>Largest packet the client accepts (the server's max_allowed_packet still applies).</summary>
    public const uint MaxPacketSize = 1 << 30;

    /// <summary>utf8mb4_general_ci: known to every MySQL 5.5+ and MariaDB server.</summary>
    public const byte CharacterSetUtf8Mb4 = 45;

    private const CapabilityFlags Wanted =
        CapabilityFlags.LongPassword | CapabilityFlags.LongFlag | CapabilityFlags.Protocol41
        | CapabilityFlags.Transactions | CapabilityFlags.SecureConnection | CapabilityFlags.MultiResults
        | CapabilityFlags.PluginAuth | CapabilityFlags.PluginAuthLengthEncodedClientData
        | CapabilityFlags.ConnectAttributes | CapabilityFlags.DeprecateEof;

    /// <summary>
    /// The capabilities this client uses with <paramref name="server"/>. Never LOCAL INFILE,
    /// compression, multi-statements, session tracking or MariaDB progress reports.
    /// </summary>
    public static CapabilityFlags Negotiate(CapabilityFlags server, bool useTls, bool withDatabase)
    {
        const CapabilityFlags required = CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection;
        if ((server & required) != required)
        {
            throw new MySqlProtocolException(
                "The server does not support the 4.1 protocol with secure authentication (CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION); it is too old.");
        }

        CapabilityFlags wanted = Wanted;
        if (useTls)
        {
            wanted |= CapabilityFlags.Ssl;
        }

        if (withDatabase)
        {
            wanted |= CapabilityFlags.ConnectWithDb;
        }

        return wanted & server;
    }

    public static void WriteSslRequest(PayloadWriter writer, CapabilityFlags client) => WriteFixedPart(writer, client);

    public static void Write(
        PayloadWriter writer,
        CapabilityFlags client,
        string userName,
        ReadOnlySpan<byte> authResponse,
        string? database,
        string pluginName,
        IReadOnlyList<KeyValuePair<string, string>> attributes)
    {
        WriteFixedPart(writer, client);
        writer.WriteNullTerminatedString(userName);
        if ((client & CapabilityFlags.PluginAuthLengthEncodedClientData) != 0)
        {
            writer.WriteLengthEncodedBytes(authResponse);
        }
        else
        {
            if (authResponse.Length > 255)
            {
                throw new MySqlAuthenticationException("The authentication response is too long for a server without CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA.");
            }

            writer.WriteByte((byte)authResponse.Length).WriteBytes(authResponse);
        }

        if ((client & CapabilityFlags.ConnectWithDb) != 0)
        {
            writer.WriteNullTerminatedString(database ?? string.Empty);
        }

        if ((client & CapabilityFlags.PluginAuth) != 0)
        {
            writer.WriteNullTerminatedString(pluginName);
        }

        if ((client & CapabilityFlags.ConnectAttributes) != 0)
        {
            using var attributeWriter = new PayloadWriter();
            foreach ((string key, string value) in attributes)
            {
                attributeWriter.WriteLengthEncodedString(key).WriteLengthEncodedString(value);
            }

            writer.WriteLengthEncodedBytes(attributeWriter.WrittenSpan);
        }
    }

    private static void WriteFixedPart(PayloadWriter writer, CapabilityFlags client)
    {
        writer.WriteUInt32((uint)client)
            .WriteUInt32(MaxPacketSize)
            .WriteByte(CharacterSetUtf8Mb4)
            .WriteZeros(19)
            .WriteUInt32((uint)((ulong)client >> 32));
    }
}

namespace ReplicaKeeper.Protocol.Packets;

/// <summary>First byte of a response payload and helpers to classify a payload.</summary>
public static class PacketHeader
{
    public const byte Ok = 0x00;
    public const byte AuthMoreData = 0x01;
    public const byte LocalInfile = 0xFB;
    public const byte Eof = 0xFE;
    public const byte AuthSwitchRequest = 0xFE;
    public const byte Error = 0xFF;

    /// <summary>Largest payload of one physical packet; a payload of this length continues in the next packet.</summary>
    public const int MaxPacketPayloadLength = 0xFFFFFF;

    /// <summary>An OK packet (0x00).</summary>
    public static bool IsOk(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == Ok;

    /// <summary>An ERR packet (0xFF).</summary>
    public static bool IsError(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == Error;

    /// <summary>A classic EOF packet: 0xFE and shorter than 9 bytes (a row or event never is).</summary>
    public static bool IsEof(ReadOnlySpan<byte> payload) => payload.Length is > 0 and < 9 && payload[0] == Eof;

    /// <summary>
    /// End of a text result set when CLIENT_DEPRECATE_EOF is on: an OK packet with the 0xFE header.
    /// A row can only start with 0xFE if its first value is at least 16 MiB long, so a payload shorter
    /// than 0xFFFFFF is the terminator.
    /// </summary>
    public static bool IsResultSetTerminator(ReadOnlySpan<byte> payload) =>
        payload.Length is > 0 and < MaxPacketPayloadLength && payload[0] == Eof;
}

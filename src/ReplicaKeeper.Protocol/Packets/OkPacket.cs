using System.Text;

namespace ReplicaKeeper.Protocol.Packets;

/// <summary>
/// An OK packet (header 0x00, or 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF):
/// affected rows, last insert id, status flags, warnings, info text.
/// </summary>
public readonly record struct OkPacket(ulong AffectedRows, ulong LastInsertId, ServerStatusFlags Status, ushort Warnings, string Info)
{
    /// <summary>Parses an OK packet. The session-state part (CLIENT_SESSION_TRACK) is not requested and not parsed.</summary>
    public static OkPacket Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload, "OK");
        byte header = reader.ReadByte();
        if (header is not (PacketHeader.Ok or PacketHeader.Eof))
        {
            throw reader.Error($"expected header 0x00 or 0xFE, found 0x{header:X2}");
        }

        ulong affectedRows = reader.ReadLengthEncodedInteger();
        ulong lastInsertId = reader.ReadLengthEncodedInteger();
        var status = ServerStatusFlags.None;
        ushort warnings = 0;
        if (reader.Remaining >= 4)
        {
            status = (ServerStatusFlags)reader.ReadUInt16();
            warnings = reader.ReadUInt16();
        }

        string info = reader.HasRemaining ? Encoding.UTF8.GetString(reader.ReadRest()) : string.Empty;
        return new OkPacket(affectedRows, lastInsertId, status, warnings, info);
    }
}

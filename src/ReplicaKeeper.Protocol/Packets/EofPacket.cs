namespace ReplicaKeeper.Protocol.Packets;

/// <summary>A classic EOF packet: 0xFE, warnings (2), status flags (2).</summary>
public readonly record struct EofPacket(ushort Warnings, ServerStatusFlags Status)
{
    public static EofPacket Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload, "EOF");
        if (reader.ReadByte() != PacketHeader.Eof)
        {
            throw reader.Error("expected header 0xFE");
        }

        if (reader.Remaining < 4)
        {
            return new EofPacket(0, ServerStatusFlags.None);
        }

        ushort warnings = reader.ReadUInt16();
        var status = (ServerStatusFlags)reader.ReadUInt16();
        return new EofPacket(warnings, status);
    }
}

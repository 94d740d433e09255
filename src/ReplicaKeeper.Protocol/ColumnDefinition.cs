using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol;

/// <summary>One column of a text result set (Protocol::ColumnDefinition41).</summary>
public sealed record ColumnDefinition(
    string Schema,
    string Table,
    string OriginalTable,
    string Name,
    string OriginalName,
    ushort CharacterSet,
    uint ColumnLength,
    byte ColumnType,
    ushort Flags,
    byte Decimals)
{
    public static ColumnDefinition Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new PayloadReader(payload, "column definition");
        reader.ReadLengthEncodedBytes(); // catalog, always "def"
        string schema = reader.ReadLengthEncodedString();
        string table = reader.ReadLengthEncodedString();
        string originalTable = reader.ReadLengthEncodedString();
        string name = reader.ReadLengthEncodedString();
        string originalName = reader.ReadLengthEncodedString();
        reader.ReadLengthEncodedInteger(); // length of the fixed fields, 0x0C
        ushort characterSet = reader.ReadUInt16();
        uint columnLength = reader.ReadUInt32();
        byte columnType = reader.ReadByte();
        ushort flags = reader.ReadUInt16();
        byte decimals = reader.ReadByte();
        return new ColumnDefinition(schema, table, originalTable, name, originalName, characterSet, columnLength, columnType, flags, decimals);
    }
}

using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>Value type of a user variable (MySQL Item_result).</summary>
public enum UserVarType : byte
{
    String = 0,
    Real = 1,
    Int = 2,
    Row = 3,
    Decimal = 4,
}

/// <summary>
/// USER_VAR_EVENT (14): a user variable (@name) used by the next statement-based QUERY.
/// Layout: name_len(4) name is_null(1) [type(1) charset(4) value_len(4) value [flags(1)]].
/// The value bytes are kept raw: little-endian 8 bytes for Int/Real, binary DECIMAL (precision,
/// scale, digits) for Decimal, text in <see cref="Charset"/> for String.
/// </summary>
public sealed record UserVarEvent(
    EventHeader Header,
    string Name,
    bool IsNull,
    UserVarType ValueType,
    uint Charset,
    byte[] Value,
    byte Flags) : BinlogEvent(Header)
{
    /// <summary>Flag: the integer value is UNSIGNED.</summary>
    public const byte UnsignedFlag = 1;

    public static UserVarEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.UserVar, 0));
        var nameLength = reader.ReadUInt32LE();
        if (nameLength > (uint)reader.Remaining)
        {
            throw reader.Error($"user variable name length {nameLength} exceeds the event");
        }

        var name = Encoding.UTF8.GetString(reader.ReadBytes((int)nameLength));
        var isNull = reader.ReadByte() != 0;
        if (isNull)
        {
            return new UserVarEvent(header, name, true, UserVarType.String, 63, [], 0);
        }

        var type = (UserVarType)reader.ReadByte();
        var charset = reader.ReadUInt32LE();
        var valueLength = reader.ReadUInt32LE();
        if (valueLength > (uint)reader.Remaining)
        {
            throw reader.Error($"user variable value length {valueLength} exceeds the event");
        }

        var value = reader.ReadBytes((int)valueLength).ToArray();
        var flags = reader.IsAtEnd ? (byte)0 : reader.ReadByte();
        return new UserVarEvent(header, name, false, type, charset, value, flags);
    }
}

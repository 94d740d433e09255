using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// Applies a TABLE_MAP's optional metadata (binlog_row_metadata=MINIMAL/FULL TLVs) to its columns.
/// Each TLV is type(1) length(packed) value. Lists are per column of a kind, in column order:
/// SIGNEDNESS has one bit (MSB first) per numeric column, the charset fields one slot per character
/// column (or per ENUM/SET column), ENUM/SET values one list per ENUM/SET column, GEOMETRY_TYPE one
/// entry per geometry column, VECTOR_DIMENSIONALITY one per vector column, COLUMN_VISIBILITY one
/// bit per column. DEFAULT_CHARSET is a default collation followed by (slot index, collation) pairs
/// for the exceptions. Unknown TLV types are skipped by length.
/// </summary>
internal static class OptionalMetadataParser
{
    internal sealed record Result(
        IReadOnlyList<(int Column, int Prefix)> PrimaryKey,
        int? DefaultCollation,
        int? EnumAndSetDefaultCollation,
        bool HasColumnNames,
        bool HasSignedness,
        IReadOnlyList<byte> UnknownFields);

    public static Result Apply(ReadOnlySpan<byte> tlvs, ColumnDefinition[] columns, bool isMariaDb, int baseOffset)
    {
        var reader = new BinlogReader(tlvs, baseOffset);
        var primaryKey = new List<(int, int)>();
        int? defaultCollation = null, enumSetDefault = null;
        bool names = false, signedness = false;
        List<byte>? unknown = null;
        while (!reader.IsAtEnd)
        {
            var type = reader.ReadByte();
            var length = reader.ReadLengthEncodedLength();
            var field = new BinlogReader(reader.ReadBytes(length), reader.Offset - length);
            switch (type)
            {
                case 1: // SIGNEDNESS
                    signedness = true;
                    ApplyBits(ref field, columns, c => c.IsNumeric, (c, bit) =>
                    {
                        c.IsUnsigned = bit;
                        c.IsSignednessKnown = true;
                    });
                    break;
                case 2: // DEFAULT_CHARSET
                    defaultCollation = ApplyDefaultCharset(ref field, columns, c => c.IsCharacter(isMariaDb));
                    break;
                case 3: // COLUMN_CHARSET
                    ApplyColumnCharset(ref field, columns, c => c.IsCharacter(isMariaDb));
                    break;
                case 4: // COLUMN_NAME
                    names = true;
                    foreach (var c in columns)
                    {
                        if (field.IsAtEnd)
                        {
                            break;
                        }

                        c.Name = Encoding.UTF8.GetString(field.ReadLengthEncodedBytes());
                    }

                    break;
                case 5: // SET_STR_VALUE
                    ApplyStringLists(ref field, columns, ColumnType.Set);
                    break;
                case 6: // ENUM_STR_VALUE
                    ApplyStringLists(ref field, columns, ColumnType.Enum);
                    break;
                case 7: // GEOMETRY_TYPE
                    foreach (var c in columns)
                    {
                        if (c.Type == ColumnType.Geometry && !field.IsAtEnd)
                        {
                            c.GeometryType = ReadInt(ref field);
                        }
                    }

                    break;
                case 8: // SIMPLE_PRIMARY_KEY
                    while (!field.IsAtEnd)
                    {
                        primaryKey.Add((ReadColumnIndex(ref field, columns), 0));
                    }

                    break;
                case 9: // PRIMARY_KEY_WITH_PREFIX
                    while (!field.IsAtEnd)
                    {
                        var index = ReadColumnIndex(ref field, columns);
                        primaryKey.Add((index, ReadInt(ref field)));
                    }

                    break;
                case 10: // ENUM_AND_SET_DEFAULT_CHARSET
                    enumSetDefault = ApplyDefaultCharset(ref field, columns, c => c.IsEnumOrSet);
                    break;
                case 11: // ENUM_AND_SET_COLUMN_CHARSET
                    ApplyColumnCharset(ref field, columns, c => c.IsEnumOrSet);
                    break;
                case 12: // COLUMN_VISIBILITY
                    ApplyBits(ref field, columns, _ => true, (c, bit) => c.IsVisible = bit);
                    break;
                case 13: // VECTOR_DIMENSIONALITY
                    foreach (var c in columns)
                    {
                        if (c.Type == ColumnType.Vector && !field.IsAtEnd)
                        {
                            c.VectorDimensions = ReadInt(ref field);
                        }
                    }

                    break;
                default:
                    (unknown ??= []).Add(type);
                    break;
            }
        }

        foreach (var (column, prefix) in primaryKey)
        {
            columns[column].IsPrimaryKey = true;
            columns[column].PrimaryKeyPrefix = prefix;
        }

        return new Result(primaryKey, defaultCollation, enumSetDefault, names, signedness, (IReadOnlyList<byte>?)unknown ?? []);
    }

    private static int ReadInt(ref BinlogReader reader)
    {
        var v = reader.ReadLengthEncodedInteger();
        if (v > int.MaxValue)
        {
            throw reader.Error($"metadata value {v} out of range");
        }

        return (int)v;
    }

    private static int ReadColumnIndex(ref BinlogReader reader, ColumnDefinition[] columns)
    {
        var index = ReadInt(ref reader);
        if (index >= columns.Length)
        {
            throw reader.Error($"primary key column {index} beyond the {columns.Length} column(s)");
        }

        return index;
    }

    private static void ApplyBits(ref BinlogReader field, ColumnDefinition[] columns, Func<ColumnDefinition, bool> applies, Action<ColumnDefinition, bool> set)
    {
        var bits = field.ReadToEnd();
        var n = 0;
        foreach (var c in columns)
        {
            if (!applies(c))
            {
                continue;
            }

            if (n >= bits.Length * 8)
            {
                break;
            }

            set(c, (bits[n >> 3] & (0x80 >> (n & 7))) != 0);
            n++;
        }
    }

    private static int ApplyDefaultCharset(ref BinlogReader field, ColumnDefinition[] columns, Func<ColumnDefinition, bool> applies)
    {
        var defaultCollation = ReadInt(ref field);
        var slots = new List<ColumnDefinition>();
        foreach (var c in columns)
        {
            if (applies(c))
            {
                c.CollationId = defaultCollation;
                slots.Add(c);
            }
        }

        while (!field.IsAtEnd)
        {
            var slot = ReadInt(ref field);
            var collation = ReadInt(ref field);
            if (slot >= slots.Count)
            {
                throw field.Error($"charset slot {slot} beyond the {slots.Count} column(s) it applies to");
            }

            slots[slot].CollationId = collation;
        }

        return defaultCollation;
    }

    private static void ApplyColumnCharset(ref BinlogReader field, ColumnDefinition[] columns, Func<ColumnDefinition, bool> applies)
    {
        foreach (var c in columns)
        {
            if (applies(c) && !field.IsAtEnd)
            {
                c.CollationId = ReadInt(ref field);
            }
        }
    }

    private static void ApplyStringLists(ref BinlogReader field, ColumnDefinition[] columns, ColumnType type)
    {
        foreach (var c in columns)
        {
            if (c.Type != type || field.IsAtEnd)
            {
                continue;
            }

            var count = ReadInt(ref field);
            if (count > field.Remaining)
            {
                throw field.Error($"{count} {type} value(s) cannot fit in {field.Remaining} byte(s)");
            }

            var values = new string[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = Encoding.UTF8.GetString(field.ReadLengthEncodedBytes());
            }

            c.Values = values;
        }
    }
}

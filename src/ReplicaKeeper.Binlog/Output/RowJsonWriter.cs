using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Json;

namespace ReplicaKeeper.Binlog.Output;

/// <summary>
/// Writes row images as JSON objects, one property per column present in the image, named by the
/// table map's column names (or "@1".."@n"). Values: integers as numbers with their sign, FLOAT and
/// DOUBLE as numbers, DECIMAL as a string with exact digits, DATE "YYYY-MM-DD", DATETIME and
/// TIMESTAMP (UTC) "YYYY-MM-DD HH:MM:SS[.ffffff]" with exactly fsp digits, TIME "[-]HH:MM:SS[.ffffff]",
/// YEAR and BIT as numbers, ENUM as its name, SET as comma-joined names, text as a string,
/// binary/blob/geometry as base64, JSON embedded as JSON, VECTOR as an array of numbers, NULL as
/// null. Decimal and temporal text is formatted on the stack; text is transcoded without an
/// intermediate string when possible.
/// </summary>
public static class RowJsonWriter
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _jsonBuffer;

    /// <summary>
    /// Writes a row change: WRITE/DELETE as the row object itself, UPDATE as
    /// <c>{"before":{...},"after":{...}}</c>.
    /// </summary>
    public static void WriteChange(Utf8JsonWriter writer, RowChange change)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(change);
        if (change.HasBefore && change.HasAfter)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("before"u8);
            WriteImage(writer, change.Before);
            writer.WritePropertyName("after"u8);
            WriteImage(writer, change.After);
            writer.WriteEndObject();
        }
        else
        {
            WriteImage(writer, change.HasAfter ? change.After : change.Before);
        }
    }

    /// <summary>Writes one row image as a JSON object.</summary>
    public static void WriteImage(Utf8JsonWriter writer, RowImage image)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(image);
        writer.WriteStartObject();
        var names = image.Table?.JsonNames ?? [];
        var values = image.Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Kind == ValueKind.Absent)
            {
                continue;
            }

            if (i < names.Length)
            {
                writer.WritePropertyName(names[i]);
            }
            else
            {
                writer.WritePropertyName(image.Column(i).DisplayName);
            }

            WriteValue(writer, image, i);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes one column's value (absent columns as null).</summary>
    public static void WriteValue(Utf8JsonWriter writer, RowImage image, int column)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(image);
        ref readonly var v = ref image[column];
        switch (v.Kind)
        {
            case ValueKind.Absent or ValueKind.Null:
                writer.WriteNullValue();
                return;
            case ValueKind.Int64 or ValueKind.Year:
                writer.WriteNumberValue(v.Int64);
                return;
            case ValueKind.UInt64 or ValueKind.Bit:
                writer.WriteNumberValue(v.UInt64);
                return;
            case ValueKind.Single:
                WriteFloatingPoint(writer, v.Single, isSingle: true);
                return;
            case ValueKind.Double:
                WriteFloatingPoint(writer, v.Double, isSingle: false);
                return;
            case ValueKind.Decimal:
            {
                Span<byte> text = stackalloc byte[DecimalCodec.MaxTextLength(Math.Max(v.DecimalPrecision, 1)) + 9];
                var n = DecimalCodec.Format(image.GetBytes(column), v.DecimalPrecision, v.DecimalScale, text);
                writer.WriteStringValue(text[..n]);
                return;
            }

            case ValueKind.Date or ValueKind.DateTime or ValueKind.Time or ValueKind.Timestamp:
            {
                Span<byte> text = stackalloc byte[TemporalFormat.MaxLength];
                var n = TemporalFormat.Write(v, text);
                writer.WriteStringValue(text[..n]);
                return;
            }

            case ValueKind.Enum:
                writer.WriteStringValue(RowImage.EnumName(image.Column(column), (int)v.Int64));
                return;
            case ValueKind.Set:
                writer.WriteStringValue(RowImage.SetNames(image.Column(column), v.UInt64));
                return;
            case ValueKind.Text:
                WriteText(writer, image.GetBytes(column), v.CollationId);
                return;
            case ValueKind.Binary when v.PaddedLength > v.Length && v.PaddedLength <= 256:
            {
                Span<byte> padded = stackalloc byte[v.PaddedLength];
                padded.Clear();
                image.GetBytes(column).CopyTo(padded);
                writer.WriteBase64StringValue(padded);
                return;
            }

            case ValueKind.Binary or ValueKind.Geometry:
                writer.WriteBase64StringValue(image.GetBytes(column));
                return;
            case ValueKind.Json:
            {
                var buffer = _jsonBuffer ??= new ArrayBufferWriter<byte>(256);
                buffer.ResetWrittenCount();
                JsonBinary.WriteJsonText(image.GetBytes(column), buffer);
                writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
                return;
            }

            case ValueKind.JsonDiff:
                if (image.IsUnresolvedJsonDiff(column))
                {
                    writer.WriteStartObject();
                    writer.WritePropertyName("json_diff"u8);
                    writer.WriteRawValue(image.ToJsonText(column), skipInputValidation: true);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteRawValue(image.ToJsonText(column), skipInputValidation: true);
                }

                return;
            case ValueKind.Vector:
            {
                var bytes = image.GetBytes(column);
                writer.WriteStartArray();
                for (var i = 0; i + 4 <= bytes.Length; i += 4)
                {
                    WriteFloatingPoint(writer, System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]), isSingle: true);
                }

                writer.WriteEndArray();
                return;
            }

            default:
                writer.WriteNullValue();
                return;
        }
    }

    private static void WriteFloatingPoint(Utf8JsonWriter writer, double value, bool isSingle)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (isSingle)
        {
            writer.WriteNumberValue((float)value);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    private static void WriteText(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes, int collationId)
    {
        if (TextEncoding.IsLatin1(collationId))
        {
            char[]? rented = null;
            var chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length)).AsSpan(0, bytes.Length);
            TextEncoding.DecodeLatin1(bytes, chars);
            writer.WriteStringValue(chars);
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }

            return;
        }

        if (TextEncoding.IsUtf8(collationId) && Utf8.IsValid(bytes))
        {
            writer.WriteStringValue(bytes);
            return;
        }

        writer.WriteStringValue(TextEncoding.GetString(bytes, collationId));
    }
}

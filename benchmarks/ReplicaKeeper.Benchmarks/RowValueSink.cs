using System.Buffers;
using System.Text.Unicode;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Json;

namespace ReplicaKeeper.Benchmarks;

/// <summary>What a consumer does with each decoded value in the benchmarks.</summary>
internal static class RowValueSink
{
    /// <summary>Touches every cell (inline values and slice lengths): decoding without asking for text.</summary>
    public static long Touch(RowImage image)
    {
        long acc = 0;
        foreach (ref readonly var v in image.Values)
        {
            acc += v.Kind switch
            {
                ValueKind.Absent or ValueKind.Null => 1,
                ValueKind.Text or ValueKind.Binary or ValueKind.Json or ValueKind.Decimal or ValueKind.Geometry or ValueKind.Vector
                    or ValueKind.JsonDiff => v.Length,
                _ => v.RawBits,
            };
        }

        return acc;
    }

    /// <summary>Turns every value into its text form in UTF-8 (stack / reused buffers, no strings).</summary>
    public static long Format(RowImage image, ArrayBufferWriter<byte> json)
    {
        long acc = 0;
        Span<byte> text = stackalloc byte[96];
        var values = image.Values;
        for (var i = 0; i < values.Length; i++)
        {
            ref readonly var v = ref values[i];
            switch (v.Kind)
            {
                case ValueKind.Int64:
                    v.Int64.TryFormat(text, out var n1);
                    acc += n1;
                    break;
                case ValueKind.UInt64:
                    v.UInt64.TryFormat(text, out var n2);
                    acc += n2;
                    break;
                case ValueKind.Double:
                    v.Double.TryFormat(text, out var n3);
                    acc += n3;
                    break;
                case ValueKind.Decimal:
                    acc += DecimalCodec.Format(image.GetBytes(i), v.DecimalPrecision, v.DecimalScale, text);
                    break;
                case ValueKind.Date or ValueKind.DateTime or ValueKind.Time or ValueKind.Timestamp:
                    acc += TemporalFormat.Write(v, text);
                    break;
                case ValueKind.Text:
                    acc += Utf8.IsValid(image.GetBytes(i)) ? v.Length : 0;
                    break;
                case ValueKind.Json:
                    json.ResetWrittenCount();
                    JsonBinary.WriteJsonText(image.GetBytes(i), json);
                    acc += json.WrittenCount;
                    break;
                default:
                    acc += v.Length + 1;
                    break;
            }
        }

        return acc;
    }

    /// <summary>The naive consumer: every value boxed into an object[] (what reflection-style decoders hand out).</summary>
    public static long Boxed(RowImage image)
    {
        var row = new object?[image.ColumnCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = image.GetValue(i);
        }

        return row.Length;
    }
}

using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Json;

namespace ReplicaKeeper.Binlog.Columns;

/// <summary>
/// One row image (before or after) decoded into a reusable buffer of <see cref="ColumnValue"/>
/// cells, one per table column (<see cref="ValueKind.Absent"/> for columns not in the image).
/// Reading the next row overwrites the cells; no per-row allocation. Strings are created only by
/// the Get/To methods.
/// </summary>
public sealed class RowImage
{
    private ColumnValue[] _cells = [];
    private ColumnDefinition[] _columns = [];

    /// <summary>The table map the row belongs to.</summary>
    public TableMapEvent? Table { get; private set; }

    /// <summary>The bytes the cells' offsets point into (the rows event's row data).</summary>
    public ReadOnlyMemory<byte> Source { get; private set; }

    public int ColumnCount { get; private set; }

    public ReadOnlySpan<ColumnValue> Values => _cells.AsSpan(0, ColumnCount);

    public IReadOnlyList<ColumnDefinition> Columns => _columns;

    public ref readonly ColumnValue this[int column] => ref _cells[CheckIndex(column)];

    public ColumnDefinition Column(int column) => _columns[CheckIndex(column)];

    public bool IsPresent(int column) => this[column].Kind != ValueKind.Absent;

    public bool IsNull(int column) => this[column].Kind == ValueKind.Null;

    /// <summary>The value's raw bytes (strings, blobs, decimal, JSON, geometry, vector).</summary>
    public ReadOnlySpan<byte> GetBytes(int column)
    {
        ref readonly var v = ref this[column];
        return Source.Span.Slice(v.Offset, v.Length);
    }

    /// <summary>
    /// Binary value as the server returns it: BINARY(n) padded back to n bytes with 0x00 (the binlog
    /// drops the padding); other kinds as <see cref="GetBytes"/>.
    /// </summary>
    public byte[] GetBinary(int column)
    {
        ref readonly var v = ref this[column];
        var result = new byte[v.PaddedLength];
        GetBytes(column).CopyTo(result);
        return result;
    }

    public long GetInt64(int column) => this[column].Int64;

    public ulong GetUInt64(int column) => this[column].UInt64;

    public double GetDouble(int column)
    {
        ref readonly var v = ref this[column];
        return v.Kind == ValueKind.Single ? v.Single : v.Double;
    }

    /// <summary>DECIMAL as exact text ("-0.000000001").</summary>
    public string ToDecimalString(int column)
    {
        ref readonly var v = ref this[column];
        if (v.Kind != ValueKind.Decimal)
        {
            throw new InvalidOperationException($"column {_columns[column].DisplayName} holds {v.Kind}, not a decimal");
        }

        return DecimalCodec.ToString(GetBytes(column), v.DecimalPrecision, v.DecimalScale);
    }

    /// <summary>
    /// JSON column as MySQL's JSON text. For a PARTIAL_UPDATE_ROWS after image, the diffs are applied
    /// to the before image's document; when the before image lacks the column (MINIMAL), the diffs
    /// are described as a JSON array of operations instead.
    /// </summary>
    public string ToJsonText(int column)
    {
        ref readonly var v = ref this[column];
        switch (v.Kind)
        {
            case ValueKind.Json:
                return JsonBinary.ToJsonText(GetBytes(column));
            case ValueKind.JsonDiff:
                if (v.RawBits >= 0)
                {
                    var baseOffset = (int)(v.RawBits >> 32);
                    var baseLength = (int)(v.RawBits & 0xFFFFFFFF);
                    return JsonDiff.Apply(Source.Span.Slice(baseOffset, baseLength), GetBytes(column));
                }

                return JsonDiff.Describe(GetBytes(column));
            case ValueKind.Text:
                return TextEncoding.GetString(GetBytes(column), v.CollationId);
            default:
                throw new InvalidOperationException($"column {_columns[column].DisplayName} holds {v.Kind}, not JSON");
        }
    }

    /// <summary>True when a PARTIAL_UPDATE_ROWS JSON diff cannot be applied (no before document).</summary>
    public bool IsUnresolvedJsonDiff(int column)
    {
        ref readonly var v = ref this[column];
        return v.Kind == ValueKind.JsonDiff && v.RawBits < 0;
    }

    /// <summary>
    /// The value as text: strings in their character set, ENUM/SET by name, numbers invariant,
    /// temporal values as MySQL prints them, DECIMAL exact, JSON as text, binary as base64. Null for
    /// SQL NULL and absent columns.
    /// </summary>
    public string? GetString(int column)
    {
        ref readonly var v = ref this[column];
        var def = _columns[column];
        switch (v.Kind)
        {
            case ValueKind.Absent or ValueKind.Null:
                return null;
            case ValueKind.Int64 or ValueKind.Year:
                return v.Int64.ToString(CultureInfo.InvariantCulture);
            case ValueKind.UInt64 or ValueKind.Bit:
                return v.UInt64.ToString(CultureInfo.InvariantCulture);
            case ValueKind.Single:
                return v.Single.ToString("R", CultureInfo.InvariantCulture);
            case ValueKind.Double:
                return v.Double.ToString("R", CultureInfo.InvariantCulture);
            case ValueKind.Decimal:
                return ToDecimalString(column);
            case ValueKind.Date or ValueKind.DateTime or ValueKind.Time or ValueKind.Timestamp:
                return TemporalFormat.ToString(v);
            case ValueKind.Enum:
                return EnumName(def, (int)v.Int64);
            case ValueKind.Set:
                return SetNames(def, v.UInt64);
            case ValueKind.Text:
                return TextEncoding.GetString(GetBytes(column), v.CollationId);
            case ValueKind.Json or ValueKind.JsonDiff:
                return ToJsonText(column);
            case ValueKind.Vector:
            {
                var floats = GetVector(column);
                return "[" + string.Join(",", floats.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "]";
            }

            case ValueKind.Binary:
                return Convert.ToBase64String(GetBinary(column));
            default:
                return Convert.ToBase64String(GetBytes(column));
        }
    }

    /// <summary>VECTOR values.</summary>
    public float[] GetVector(int column)
    {
        var bytes = GetBytes(column);
        var result = new float[bytes.Length / 4];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        }

        return result;
    }

    /// <summary>A boxed CLR value (convenience; allocates): long, ulong, float, double, string, byte[], DateTime?, TimeSpan, or null.</summary>
    public object? GetValue(int column)
    {
        ref readonly var v = ref this[column];
        return v.Kind switch
        {
            ValueKind.Absent or ValueKind.Null => null,
            ValueKind.Int64 or ValueKind.Year or ValueKind.Enum => v.Int64,
            ValueKind.UInt64 or ValueKind.Bit or ValueKind.Set => v.UInt64,
            ValueKind.Single => v.Single,
            ValueKind.Double => v.Double,
            ValueKind.Time => v.TimeValue,
            ValueKind.Binary => GetBinary(column),
            ValueKind.Geometry => GetBytes(column).ToArray(),
            ValueKind.Vector => GetVector(column),
            _ => GetString(column),
        };
    }

    internal static string EnumName(ColumnDefinition def, int index)
    {
        if (index == 0)
        {
            return string.Empty;
        }

        return def.Values is { } names && index <= names.Count ? names[index - 1] : index.ToString(CultureInfo.InvariantCulture);
    }

    internal static string SetNames(ColumnDefinition def, ulong mask)
    {
        if (mask == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        for (var bit = 0; bit < 64; bit++)
        {
            if ((mask & (1UL << bit)) == 0)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            if (def.Values is { } names && bit < names.Count)
            {
                sb.Append(names[bit]);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"#{bit + 1}");
            }
        }

        return sb.ToString();
    }

    /// <summary>Sizes the buffer for a table and points it at the rows' bytes; returns the cells to fill.</summary>
    internal Span<ColumnValue> Prepare(TableMapEvent table, ReadOnlyMemory<byte> source)
    {
        Table = table;
        Source = source;
        _columns = table.ColumnArray;
        ColumnCount = _columns.Length;
        if (_cells.Length < ColumnCount)
        {
            _cells = new ColumnValue[Math.Max(ColumnCount, 8)];
        }

        return _cells.AsSpan(0, ColumnCount);
    }

    private int CheckIndex(int column)
    {
        if ((uint)column >= (uint)ColumnCount)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"the row has {ColumnCount} column(s)");
        }

        return column;
    }
}

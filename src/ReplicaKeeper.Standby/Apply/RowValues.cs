using System.Globalization;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// A decoded binlog cell as the MySqlConnector parameter value that writes exactly that value back:
/// integers as long/ulong (UNSIGNED keeps its full range), FLOAT/DOUBLE as float/double, DECIMAL as its exact text,
/// temporal values as their text (zero and partial dates, TIME beyond 24 h and negative, microseconds; TIMESTAMP in
/// UTC, so the session time zone must be +00:00), BIT and SET as ulong, ENUM as its index, strings decoded from their
/// character set, binary strings as bytes (BINARY(n) padded back), JSON as text, GEOMETRY as the server's internal
/// SRID+WKB bytes, VECTOR as bytes.
/// </summary>
public static class RowValues
{
    /// <summary>The parameter value of column <paramref name="column"/> (DBNull for SQL NULL).</summary>
    public static object ToParameter(RowImage image, int column)
    {
        ArgumentNullException.ThrowIfNull(image);
        ref readonly var v = ref image[column];
        switch (v.Kind)
        {
            case ValueKind.Null:
                return DBNull.Value;
            case ValueKind.Int64:
                return v.Int64;
            case ValueKind.UInt64 or ValueKind.Bit or ValueKind.Set:
                return v.UInt64;
            case ValueKind.Enum:
                return v.Int64;
            case ValueKind.Single:
                return v.Single;
            case ValueKind.Double:
                return v.Double;
            case ValueKind.Year:
                // YEAR 0 is the zero year; the number 0 would be stored as 2000
                return v.Int64 == 0 ? "0000" : v.Int64.ToString(CultureInfo.InvariantCulture);
            case ValueKind.Decimal:
                return image.ToDecimalString(column);
            case ValueKind.Date or ValueKind.DateTime or ValueKind.Time or ValueKind.Timestamp:
                return TemporalFormat.ToString(v);
            case ValueKind.Text:
                return image.GetString(column) ?? "";
            case ValueKind.Binary:
                return image.GetBinary(column);
            case ValueKind.Json or ValueKind.JsonDiff:
                if (image.IsUnresolvedJsonDiff(column))
                {
                    throw new StandbyApplyException($"Column {image.Column(column).DisplayName}: a partial JSON update without its before image cannot be applied (set binlog_row_value_options='' or binlog_row_image=FULL on the source).");
                }

                return image.ToJsonText(column);
            case ValueKind.Geometry or ValueKind.Vector:
                return image.GetBytes(column).ToArray();
            default:
                throw new StandbyApplyException($"Column {image.Column(column).DisplayName}: no value in this row image ({v.Kind}).");
        }
    }
}

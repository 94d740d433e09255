using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Binlog.Json;

/// <summary>
/// A MySQL binary JSON document as a SQL expression that re-creates exactly the same binary value. JSON text cannot:
/// MySQL parses <c>12.50</c> as the DOUBLE 12.5 and <c>"2024-01-02 03:04:05.000000"</c> as a string, where the source
/// held a DECIMAL(4,2) and a DATETIME (opaque scalars). The expression builds the document with
/// <c>JSON_OBJECT</c>/<c>JSON_ARRAY</c> (MySQL sorts the keys itself), every scalar in its own type:
/// <c>CAST(? AS DECIMAL(p,s))</c>, <c>CAST(? AS DATETIME(6))</c>, <c>CAST(? AS DATE)</c>, <c>CAST(? AS TIME(6))</c>,
/// a TIMESTAMP through a one-row <c>JSON_TABLE</c> column (CAST has no TIMESTAMP), integers as SIGNED or UNSIGNED,
/// doubles as <c>CAST(? AS DOUBLE)</c> of their round-trip text, strings as they are, literals as
/// <c>CAST('true' AS JSON)</c>.
/// <para>
/// Values go through <c>parameter</c>, which returns the SQL that stands for one value: a placeholder that records it
/// (the applier) or a literal (the flashback script). Values are <see cref="string"/> (keys, strings, and the exact
/// text of DECIMAL, temporal and DOUBLE values), <see cref="long"/> or <see cref="ulong"/>. The server's session time
/// zone must be the source's for TIMESTAMP values (the value is stored as the source session's wall-clock time).
/// </para>
/// </summary>
public static class JsonSqlExpression
{
    /// <summary>
    /// The expression for the JSON column <paramref name="column"/> of <paramref name="image"/> (a PARTIAL_UPDATE_ROWS
    /// diff is applied to its before document first), or null when plain JSON text re-creates the document (no opaque
    /// values), an opaque value has a type no expression can produce, or the diff has no before document.
    /// </summary>
    public static string? TryBuild(RowImage image, int column, Func<object, string> parameter)
    {
        ArgumentNullException.ThrowIfNull(image);
        ref readonly var v = ref image[column];
        JsonTreeNode root;
        switch (v.Kind)
        {
            case ValueKind.Json:
                var document = image.GetBytes(column);
                if (document.IsEmpty)
                {
                    return null;
                }

                root = JsonBinary.ToTree(document);
                break;
            case ValueKind.JsonDiff when v.RawBits >= 0:
                var baseOffset = (int)(v.RawBits >> 32);
                var baseLength = (int)(v.RawBits & 0xFFFFFFFF);
                root = JsonDiff.ApplyTree(image.Source.Span.Slice(baseOffset, baseLength), image.GetBytes(column));
                break;
            default:
                return null;
        }

        return TryBuild(root, parameter);
    }

    /// <summary>The expression for a binary JSON document (see <see cref="TryBuild(RowImage, int, Func{object, string})"/>).</summary>
    public static string? TryBuild(ReadOnlySpan<byte> document, Func<object, string> parameter) =>
        document.IsEmpty ? null : TryBuild(JsonBinary.ToTree(document), parameter);

    private static string? TryBuild(JsonTreeNode root, Func<object, string> parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        var opaque = false;
        if (!Expressible(root, ref opaque) || !opaque)
        {
            return null;
        }

        var sql = new StringBuilder();
        Write(root, parameter, sql);
        return sql.ToString();
    }

    /// <summary>True when every opaque value can be written; <paramref name="opaque"/> tells whether there is one.</summary>
    private static bool Expressible(JsonTreeNode node, ref bool opaque)
    {
        switch (node)
        {
            case JsonTreeObject obj:
                foreach (var member in obj.Members)
                {
                    if (!Expressible(member.Value, ref opaque))
                    {
                        return false;
                    }
                }

                return true;
            case JsonTreeArray array:
                foreach (var item in array.Items)
                {
                    if (!Expressible(item, ref opaque))
                    {
                        return false;
                    }
                }

                return true;
            case JsonTreeScalar { Value.Type: JsonBinary.Opaque } scalar:
                opaque = true;
                return OpaqueCast(scalar.Value) is not null;
            default:
                return true;
        }
    }

    private static void Write(JsonTreeNode node, Func<object, string> parameter, StringBuilder sql)
    {
        switch (node)
        {
            case JsonTreeObject obj:
                sql.Append("JSON_OBJECT(");
                for (var i = 0; i < obj.Members.Count; i++)
                {
                    sql.Append(i == 0 ? "" : ", ").Append(parameter(obj.Members[i].Key)).Append(", ");
                    Write(obj.Members[i].Value, parameter, sql);
                }

                sql.Append(')');
                return;
            case JsonTreeArray array:
                sql.Append("JSON_ARRAY(");
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sql.Append(", ");
                    }

                    Write(array.Items[i], parameter, sql);
                }

                sql.Append(')');
                return;
            case JsonTreeScalar scalar:
                WriteScalar(scalar.Value, parameter, sql);
                return;
        }
    }

    private static void WriteScalar(JsonScalar value, Func<object, string> parameter, StringBuilder sql)
    {
        switch (value.Type)
        {
            case JsonBinary.Literal:
                sql.Append((byte)value.Value! switch
                {
                    1 => "CAST('true' AS JSON)",
                    2 => "CAST('false' AS JSON)",
                    _ => "CAST('null' AS JSON)",
                });
                return;
            case JsonBinary.Int16 or JsonBinary.Int32 or JsonBinary.Int64:
                sql.Append("CAST(").Append(parameter((long)value.Value!)).Append(" AS SIGNED)");
                return;
            case JsonBinary.UInt16 or JsonBinary.UInt32 or JsonBinary.UInt64:
                sql.Append("CAST(").Append(parameter((ulong)value.Value!)).Append(" AS UNSIGNED)");
                return;
            case JsonBinary.Double:
                sql.Append("CAST(").Append(parameter(((double)value.Value!).ToString("R", CultureInfo.InvariantCulture))).Append(" AS DOUBLE)");
                return;
            case JsonBinary.String:
                sql.Append(parameter(Encoding.UTF8.GetString((byte[])value.Value!)));
                return;
            default:
                var cast = OpaqueCast(value)!;
                sql.Append(string.Format(CultureInfo.InvariantCulture, cast, parameter(JsonBinary.OpaqueText(value.OpaqueType, (byte[])value.Value!))));
                return;
        }
    }

    /// <summary>The SQL (a format with {0} for the value's text) that makes an opaque value of its MySQL type; null when none does.</summary>
    private static string? OpaqueCast(JsonScalar value)
    {
        var bytes = (byte[])value.Value!;
        switch (value.OpaqueType)
        {
            case ColumnType.NewDecimal when bytes.Length >= 2:
            {
                // the type that holds exactly this value's digits (the stored precision may exceed DECIMAL's 65)
                int scale = bytes[1];
                var text = JsonBinary.OpaqueText(value.OpaqueType, bytes).TrimStart('-');
                var point = text.IndexOf('.', StringComparison.Ordinal);
                var integral = (point < 0 ? text : text[..point]).TrimStart('0').Length;
                var precision = Math.Max(Math.Max(bytes[0], integral + scale), 1);
                precision = Math.Min(precision, 65);
                return integral + scale > 65 || scale > 30 ? null : $"CAST({{0}} AS DECIMAL({precision},{scale}))";
            }

            case ColumnType.DateTime or ColumnType.DateTime2 when bytes.Length >= 8:
                return "CAST({0} AS DATETIME(6))";
            case ColumnType.Date or ColumnType.NewDate when bytes.Length >= 8:
                return "CAST({0} AS DATE)";
            case ColumnType.Time or ColumnType.Time2 when bytes.Length >= 8:
                return "CAST({0} AS TIME(6))";
            case ColumnType.Timestamp or ColumnType.Timestamp2 when bytes.Length >= 8:
                return "(SELECT rk_ts FROM JSON_TABLE(JSON_ARRAY({0}), '$[*]' COLUMNS (rk_ts TIMESTAMP(6) PATH '$')) AS rk_jt)";
            default:
                return null;
        }
    }
}

/// <summary>A scalar of a binary JSON document: its type byte and value (see <see cref="JsonBinary"/>).</summary>
internal readonly record struct JsonScalar(byte Type, object? Value, ColumnType OpaqueType = default);

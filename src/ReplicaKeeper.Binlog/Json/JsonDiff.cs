using System.Buffers;
using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Binlog.Json;

/// <summary>
/// The JSON diffs of a PARTIAL_UPDATE_ROWS after image (binlog_row_value_options=PARTIAL_JSON):
/// a sequence of operation(1: 0 REPLACE, 1 INSERT, 2 REMOVE) path_length(packed) path(text, e.g.
/// <c>$.a[2]</c> or <c>$."b c"</c>) and, unless REMOVE, value_length(packed) value(binary JSON).
/// Applying them in order to the before image's document gives the after image's document.
/// </summary>
public static class JsonDiff
{
    public enum Operation : byte
    {
        Replace = 0,
        Insert = 1,
        Remove = 2,
    }

    /// <summary>One decoded diff: the operation, the path text and the value's binary JSON (empty for REMOVE).</summary>
    public readonly record struct Entry(Operation Operation, string Path, ReadOnlyMemory<byte> Value);

    /// <summary>Decodes the diff list.</summary>
    public static IReadOnlyList<Entry> Parse(ReadOnlySpan<byte> diffs)
    {
        var entries = new List<Entry>();
        var pos = 0;
        while (pos < diffs.Length)
        {
            var op = diffs[pos++];
            if (op > 2)
            {
                throw Error($"unknown JSON diff operation {op}", pos - 1);
            }

            var pathLength = ReadPacked(diffs, ref pos);
            var path = Encoding.UTF8.GetString(diffs.Slice(pos, pathLength));
            pos += pathLength;
            ReadOnlyMemory<byte> value = default;
            if ((Operation)op != Operation.Remove)
            {
                var valueLength = ReadPacked(diffs, ref pos);
                value = diffs.Slice(pos, valueLength).ToArray();
                pos += valueLength;
            }

            entries.Add(new Entry((Operation)op, path, value));
        }

        return entries;
    }

    /// <summary>Applies the diffs to the before document and returns the after document's JSON text.</summary>
    public static string Apply(ReadOnlySpan<byte> beforeDocument, ReadOnlySpan<byte> diffs) => ApplyTree(beforeDocument, diffs).ToJsonText();

    /// <summary>Applies the diffs to the before document and returns the after document's tree.</summary>
    internal static JsonTreeNode ApplyTree(ReadOnlySpan<byte> beforeDocument, ReadOnlySpan<byte> diffs)
    {
        var root = JsonBinary.ToTree(beforeDocument);
        foreach (var entry in Parse(diffs))
        {
            root = ApplyOne(root, entry);
        }

        return root;
    }

    /// <summary>
    /// The diffs as JSON text when no before document is available:
    /// <c>[{"op": "replace", "path": "$.a", "value": 1}, ...]</c>.
    /// </summary>
    public static string Describe(ReadOnlySpan<byte> diffs)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        MySqlJsonFormat.WriteAscii("["u8, buffer);
        var first = true;
        foreach (var entry in Parse(diffs))
        {
            if (!first)
            {
                MySqlJsonFormat.WriteAscii(", "u8, buffer);
            }

            first = false;
            MySqlJsonFormat.WriteAscii("{\"op\": "u8, buffer);
            MySqlJsonFormat.WriteString(Encoding.UTF8.GetBytes(entry.Operation.ToString().ToLowerInvariant()), buffer);
            MySqlJsonFormat.WriteAscii(", \"path\": "u8, buffer);
            MySqlJsonFormat.WriteString(Encoding.UTF8.GetBytes(entry.Path), buffer);
            if (entry.Operation != Operation.Remove)
            {
                MySqlJsonFormat.WriteAscii(", \"value\": "u8, buffer);
                JsonBinary.WriteJsonText(entry.Value.Span, buffer);
            }

            MySqlJsonFormat.WriteAscii("}"u8, buffer);
        }

        MySqlJsonFormat.WriteAscii("]"u8, buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static JsonTreeNode ApplyOne(JsonTreeNode root, Entry entry)
    {
        var legs = ParsePath(entry.Path);
        var value = entry.Operation == Operation.Remove ? null : JsonBinary.ToTree(entry.Value.Span);
        if (legs.Count == 0)
        {
            return entry.Operation == Operation.Replace && value is not null
                ? value
                : throw Error($"JSON diff {entry.Operation} on the document root", -1);
        }

        var parent = root;
        for (var i = 0; i < legs.Count - 1; i++)
        {
            parent = Step(parent, legs[i]) ?? throw Error($"JSON diff path {entry.Path} does not exist in the before image", -1);
        }

        var last = legs[^1];
        switch (parent)
        {
            case JsonTreeObject obj when last.Key is not null:
                if (entry.Operation == Operation.Remove)
                {
                    var at = obj.IndexOf(last.Key);
                    if (at >= 0)
                    {
                        obj.Members.RemoveAt(at);
                    }
                }
                else
                {
                    obj.Set(last.Key, value!);
                }

                break;
            case JsonTreeArray array when last.Key is null:
                var index = last.Index;
                switch (entry.Operation)
                {
                    case Operation.Remove when index < array.Items.Count:
                        array.Items.RemoveAt(index);
                        break;
                    case Operation.Insert:
                        array.Items.Insert(Math.Min(index, array.Items.Count), value!);
                        break;
                    case Operation.Replace when index < array.Items.Count:
                        array.Items[index] = value!;
                        break;
                    case Operation.Replace:
                        array.Items.Add(value!);
                        break;
                }

                break;
            default:
                // REPLACE of a non-array at [0] replaces the value itself (MySQL auto-wrapping).
                throw Error($"JSON diff path {entry.Path} does not match the before image", -1);
        }

        return root;
    }

    private static JsonTreeNode? Step(JsonTreeNode node, (string? Key, int Index) leg) => node switch
    {
        JsonTreeObject obj when leg.Key is not null => obj.IndexOf(leg.Key) is var i and >= 0 ? obj.Members[i].Value : null,
        JsonTreeArray array when leg.Key is null => leg.Index < array.Items.Count ? array.Items[leg.Index] : null,
        _ when leg.Key is null && leg.Index == 0 => node,
        _ => null,
    };

    /// <summary>Parses <c>$</c>, <c>.key</c>, <c>."quoted key"</c> and <c>[n]</c> legs.</summary>
    internal static List<(string? Key, int Index)> ParsePath(string path)
    {
        var legs = new List<(string?, int)>();
        var i = 0;
        while (i < path.Length && char.IsWhiteSpace(path[i]))
        {
            i++;
        }

        if (i >= path.Length || path[i] != '$')
        {
            throw Error($"JSON path '{path}' does not start with $", -1);
        }

        i++;
        while (i < path.Length)
        {
            var c = path[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '.')
            {
                i++;
                if (i < path.Length && path[i] == '"')
                {
                    var sb = new StringBuilder();
                    i++;
                    while (i < path.Length && path[i] != '"')
                    {
                        if (path[i] == '\\' && i + 1 < path.Length)
                        {
                            i++;
                            var e = path[i];
                            if (e == 'u' && i + 4 < path.Length)
                            {
                                sb.Append((char)int.Parse(path.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                                i += 4;
                            }
                            else
                            {
                                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', _ => e });
                            }
                        }
                        else
                        {
                            sb.Append(path[i]);
                        }

                        i++;
                    }

                    i++; // closing quote
                    legs.Add((sb.ToString(), 0));
                }
                else
                {
                    var start = i;
                    while (i < path.Length && path[i] != '.' && path[i] != '[')
                    {
                        i++;
                    }

                    legs.Add((path[start..i], 0));
                }
            }
            else if (c == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0 || !int.TryParse(path.AsSpan(i + 1, end - i - 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    throw Error($"JSON path '{path}' has an unsupported array leg", -1);
                }

                legs.Add((null, index));
                i = end + 1;
            }
            else
            {
                throw Error($"JSON path '{path}' is not understood at character {i}", -1);
            }
        }

        return legs;
    }

    private static int ReadPacked(ReadOnlySpan<byte> data, ref int pos)
    {
        if (pos >= data.Length)
        {
            throw Error("JSON diff truncated", pos);
        }

        var first = data[pos++];
        var width = first switch { < 0xFB => 0, 0xFC => 2, 0xFD => 3, 0xFE => 8, _ => -1 };
        if (width < 0 || pos + width > data.Length)
        {
            throw Error("JSON diff length invalid or truncated", pos);
        }

        ulong v = width == 0 ? first : 0UL;
        for (var i = width - 1; i >= 0; i--)
        {
            v = (v << 8) | data[pos + i];
        }

        pos += width;
        if (v > (ulong)(data.Length - pos))
        {
            throw Error($"JSON diff length {v} exceeds the {data.Length - pos} remaining byte(s)", pos);
        }

        return (int)v;
    }

    private static BinlogFormatException Error(string reason, int offset) => new(reason, null, -1, null, offset);
}

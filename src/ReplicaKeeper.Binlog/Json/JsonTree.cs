using System.Buffers;
using System.Text;

namespace ReplicaKeeper.Binlog.Json;

/// <summary>
/// A small mutable JSON tree used to apply PARTIAL_UPDATE_ROWS diffs. Scalars keep the exact text
/// MySQL prints for them; objects keep MySQL's key order (shorter keys first, then bytewise), so the
/// printed result equals what the server returns for the updated document.
/// </summary>
internal abstract class JsonTreeNode
{
    public abstract void Write(IBufferWriter<byte> output);

    public string ToJsonText()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

internal sealed class JsonTreeScalar(byte[] text, JsonScalar value) : JsonTreeNode
{
    public byte[] Text { get; } = text;

    /// <summary>The typed value as stored in the binary document (for <see cref="JsonSqlExpression"/>).</summary>
    public JsonScalar Value { get; } = value;

    public override void Write(IBufferWriter<byte> output) => MySqlJsonFormat.WriteAscii(Text, output);
}

internal sealed class JsonTreeArray : JsonTreeNode
{
    public List<JsonTreeNode> Items { get; } = [];

    public override void Write(IBufferWriter<byte> output)
    {
        MySqlJsonFormat.WriteAscii("["u8, output);
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                MySqlJsonFormat.WriteAscii(", "u8, output);
            }

            Items[i].Write(output);
        }

        MySqlJsonFormat.WriteAscii("]"u8, output);
    }
}

internal sealed class JsonTreeObject : JsonTreeNode
{
    public List<KeyValuePair<string, JsonTreeNode>> Members { get; } = [];

    public int IndexOf(string key)
    {
        for (var i = 0; i < Members.Count; i++)
        {
            if (string.Equals(Members[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Inserts or replaces a member, keeping MySQL's key order.</summary>
    public void Set(string key, JsonTreeNode value)
    {
        var existing = IndexOf(key);
        if (existing >= 0)
        {
            Members[existing] = new(key, value);
            return;
        }

        var keyBytes = Encoding.UTF8.GetBytes(key);
        var at = 0;
        while (at < Members.Count && CompareKeys(Encoding.UTF8.GetBytes(Members[at].Key), keyBytes) < 0)
        {
            at++;
        }

        Members.Insert(at, new(key, value));
    }

    public override void Write(IBufferWriter<byte> output)
    {
        MySqlJsonFormat.WriteAscii("{"u8, output);
        for (var i = 0; i < Members.Count; i++)
        {
            if (i > 0)
            {
                MySqlJsonFormat.WriteAscii(", "u8, output);
            }

            MySqlJsonFormat.WriteString(Encoding.UTF8.GetBytes(Members[i].Key), output);
            MySqlJsonFormat.WriteAscii(": "u8, output);
            Members[i].Value.Write(output);
        }

        MySqlJsonFormat.WriteAscii("}"u8, output);
    }

    private static int CompareKeys(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
}

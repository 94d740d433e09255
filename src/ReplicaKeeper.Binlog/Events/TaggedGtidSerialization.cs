using System.Numerics;
using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// Reads GTID_TAGGED_LOG_EVENT (42), written with MySQL's mysql::serialization binary archive:
/// varint(format version) varint(message size, counting from the first byte)
/// varint(last non-ignorable field id), then fields as varint(field id) + value, ids ascending,
/// optional ones omitted: 0 flags, 1 sid (16 varint bytes), 2 gno (signed), 3 tag (varint length +
/// bytes), 4 last_committed (signed), 5 sequence_number (signed), 6 immediate_commit_timestamp,
/// 7 original_commit_timestamp (absent = immediate), 8 transaction_length,
/// 9 immediate_server_version, 10 original_server_version (absent = immediate),
/// 11 commit_group_ticket. Integers use MySQL's varint: the count of trailing 1 bits of the
/// first byte + 1 is the byte count; signed ones are zig-zag encoded.
/// </summary>
internal static class TaggedGtidSerialization
{
    private const int LastKnownFieldId = 11;

    public static GtidEvent Read(ref BinlogReader reader, EventHeader header)
    {
        var start = reader.Position;
        _ = ReadUnsigned(ref reader); // serialization format version
        var size = ReadUnsigned(ref reader);
        if (size > (ulong)(reader.Position - start + reader.Remaining) || size < (ulong)(reader.Position - start))
        {
            throw reader.Error($"tagged GTID message size {size} does not fit the event");
        }

        var end = start + (int)size;
        var lastNonIgnorable = ReadUnsigned(ref reader);
        if (lastNonIgnorable > LastKnownFieldId + 1)
        {
            throw reader.Error($"tagged GTID carries unknown non-ignorable field {lastNonIgnorable - 1}");
        }

        byte flags = 0;
        var sid = Guid.Empty;
        string? tag = null;
        long gno = 0, lastCommitted = 0, sequenceNumber = 0;
        ulong immediate = 0, length = 0, ticket = 0;
        ulong? original = null;
        uint immediateVersion = GtidEvent.UndefinedServerVersion;
        uint? originalVersion = null;
        var seen = -1;
        Span<byte> sidBytes = stackalloc byte[16];
        while (reader.Position < end)
        {
            var id = ReadUnsigned(ref reader);
            if ((long)id <= seen)
            {
                throw reader.Error($"tagged GTID field {id} out of order");
            }

            if (id > LastKnownFieldId)
            {
                // Newer, ignorable fields: nothing after them is ours.
                break;
            }

            seen = (int)id;
            switch (id)
            {
                case 0: flags = checked((byte)ReadUnsignedMax(ref reader, byte.MaxValue)); break;
                case 1:
                    for (var i = 0; i < 16; i++)
                    {
                        sidBytes[i] = (byte)ReadUnsignedMax(ref reader, byte.MaxValue);
                    }

                    sid = new Guid(sidBytes, bigEndian: true);
                    break;
                case 2: gno = ReadSigned(ref reader); break;
                case 3:
                    var tagLength = ReadUnsignedMax(ref reader, 32);
                    tag = Encoding.ASCII.GetString(reader.ReadBytes((int)tagLength));
                    if (tag.Length == 0)
                    {
                        tag = null;
                    }

                    break;
                case 4: lastCommitted = ReadSigned(ref reader); break;
                case 5: sequenceNumber = ReadSigned(ref reader); break;
                case 6: immediate = ReadUnsigned(ref reader); break;
                case 7: original = ReadUnsigned(ref reader); break;
                case 8: length = ReadUnsigned(ref reader); break;
                case 9: immediateVersion = (uint)ReadUnsignedMax(ref reader, uint.MaxValue); break;
                case 10: originalVersion = (uint)ReadUnsignedMax(ref reader, uint.MaxValue); break;
                default: ticket = ReadUnsigned(ref reader); break;
            }
        }

        if (seen < 2)
        {
            throw reader.Error("tagged GTID lacks its sid or gno");
        }

        if (gno < 1)
        {
            throw reader.Error($"invalid GNO {gno}");
        }

        reader.Seek(Math.Max(reader.Position, Math.Min(end, reader.Buffer.Length)));
        return new GtidEvent(
            header, flags, sid, tag, gno, lastCommitted, sequenceNumber, immediate, original ?? immediate, length,
            immediateVersion, originalVersion ?? immediateVersion, ticket);
    }

    /// <summary>MySQL serialization varint (unsigned): 1-9 bytes, length = trailing ones of the first byte + 1.</summary>
    public static ulong ReadUnsigned(ref BinlogReader reader)
    {
        var first = reader.ReadByte();
        var count = BitOperations.TrailingZeroCount(~(uint)first) + 1;
        if (count == 1)
        {
            return (ulong)(first >> 1);
        }

        var rest = reader.ReadUIntLE(count - 1);
        if (count == 9)
        {
            return rest;
        }

        return ((ulong)first >> count) | (rest << (8 - count));
    }

    private static ulong ReadUnsignedMax(ref BinlogReader reader, ulong max)
    {
        var value = ReadUnsigned(ref reader);
        if (value > max)
        {
            throw reader.Error($"value {value} exceeds {max}");
        }

        return value;
    }

    /// <summary>Zig-zag signed varint.</summary>
    public static long ReadSigned(ref BinlogReader reader)
    {
        var raw = ReadUnsigned(ref reader);
        var magnitude = (long)(raw >> 1);
        return (raw & 1) == 0 ? magnitude : -magnitude - 1;
    }
}

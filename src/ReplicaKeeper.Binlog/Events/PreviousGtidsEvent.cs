using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>One source (uuid, optional tag) of a GTID set with its intervals.</summary>
public sealed record GtidSetEntry(Guid SourceId, string? Tag, IReadOnlyList<GtidRange> Ranges);

/// <summary>A closed GNO range first..last (the binlog stores last+1).</summary>
public readonly record struct GtidRange(long First, long Last);

/// <summary>
/// PREVIOUS_GTIDS_LOG_EVENT (35): the GTIDs executed before this file (MySQL). Body: the encoded
/// GTID set. Untagged format: n_sids(8) then per sid: uuid(16) n_intervals(8) (start(8) end(8))*
/// with end exclusive. Tagged format (MySQL 8.3+): first 8 bytes = format(1)=1, n_sids(6),
/// format(1)=1; each sid is uuid(16) tag_length (mysql::serialization varint) tag then the intervals.
/// </summary>
public sealed record PreviousGtidsEvent(EventHeader Header, IReadOnlyList<GtidSetEntry> Entries, bool IsTaggedFormat)
    : BinlogEvent(Header)
{
    /// <summary>The set as MySQL prints it: "uuid:1-10:tag1:1-2,uuid2:5".</summary>
    public string GtidSetText
    {
        get
        {
            var text = new StringBuilder();
            Guid? current = null;
            foreach (var entry in Entries)
            {
                if (current != entry.SourceId)
                {
                    if (current is not null)
                    {
                        text.Append(',');
                    }

                    text.Append(entry.SourceId.ToString("D"));
                    current = entry.SourceId;
                }

                if (entry.Tag is not null)
                {
                    text.Append(':').Append(entry.Tag);
                }

                foreach (var range in entry.Ranges)
                {
                    text.Append(':').Append(range.First.ToString(CultureInfo.InvariantCulture));
                    if (range.Last != range.First)
                    {
                        text.Append('-').Append(range.Last.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            return text.ToString();
        }
    }

    public static PreviousGtidsEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        reader.Skip(context.PostHeaderLength(BinlogEventType.PreviousGtids, 0));
        var (entries, tagged) = ReadGtidSet(ref reader);
        return new PreviousGtidsEvent(header, entries, tagged);
    }

    /// <summary>Decodes MySQL's binary GTID set encoding (Gtid_set::encode), tagged or not.</summary>
    public static (IReadOnlyList<GtidSetEntry> Entries, bool Tagged) ReadGtidSet(ref BinlogReader reader)
    {
        var head = reader.ReadUInt64LE();
        var format = (byte)(head >> 56);
        bool tagged;
        ulong count;
        if (format == 0)
        {
            tagged = false;
            count = head;
        }
        else if (format == 1 && (byte)head == 1)
        {
            tagged = true;
            count = (head >> 8) & 0xFFFF_FFFF_FFFFUL;
        }
        else
        {
            throw reader.Error($"unknown GTID set format {format}");
        }

        // Each sid takes at least 24 bytes: a count beyond that is corruption, not a big set.
        if (count > (ulong)reader.Remaining / 24)
        {
            throw reader.Error($"GTID set claims {count} sids in {reader.Remaining} bytes");
        }

        var entries = new GtidSetEntry[(int)count];
        for (var i = 0; i < entries.Length; i++)
        {
            var sid = new Guid(reader.ReadBytes(16), bigEndian: true);
            string? tag = null;
            if (tagged)
            {
                // The tag length is a mysql::serialization varint (4 is written as 0x08).
                var tagLength = TaggedGtidSerialization.ReadUnsigned(ref reader);
                if (tagLength > 32)
                {
                    throw reader.Error($"GTID tag length {tagLength} exceeds 32");
                }

                if (tagLength > 0)
                {
                    tag = Encoding.ASCII.GetString(reader.ReadBytes((int)tagLength));
                }
            }

            var intervals = reader.ReadUInt64LE();
            if (intervals > (ulong)reader.Remaining / 16)
            {
                throw reader.Error($"GTID set claims {intervals} intervals in {reader.Remaining} bytes");
            }

            var ranges = new GtidRange[(int)intervals];
            for (var j = 0; j < ranges.Length; j++)
            {
                var start = (long)reader.ReadUInt64LE();
                var end = (long)reader.ReadUInt64LE();
                if (start < 1 || end <= start)
                {
                    throw reader.Error($"invalid GTID interval {start}..{end}");
                }

                ranges[j] = new GtidRange(start, end - 1);
            }

            entries[i] = new GtidSetEntry(sid, tag, ranges);
        }

        return (entries, tagged);
    }
}

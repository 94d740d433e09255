using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Output;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Tests.Golden;

/// <summary>
/// Raw TABLE_MAP + rows event pairs captured from a real binlog, and a full decode of a pair
/// (table map, rows, every value as text and as JSON) used by the truncation and mutation tests.
/// </summary>
public sealed record CapturedEvents(FormatContext Context, EventHeader MapHeader, byte[] MapBody, EventHeader RowsHeader, byte[] RowsBody)
{
    /// <summary>Every value of every row as text, plus the JSON lines: equal output means equal decoding.</summary>
    public static string DecodeAll(FormatContext context, EventHeader mapHeader, byte[] mapBody, EventHeader rowsHeader, byte[] rowsBody)
    {
        var reader = new BinlogReader(mapBody, EventHeader.Size);
        var map = TableMapEvent.Read(ref reader, mapHeader, context);
        var rows = RowsEvent.Read(rowsBody, rowsHeader, context, id => id == map.TableId ? map : null);
        var text = new System.Text.StringBuilder();
        text.Append(map.FullName).Append('|').AppendJoin(',', map.Columns.Select(c => $"{c.DisplayName}:{c.Type}:{c.CollationId}:{c.IsUnsigned}"));
        var change = new RowChange();
        var rowReader = rows.GetRows();
        while (rowReader.Read(change))
        {
            foreach (var image in new[] { change.HasBefore ? change.Before : null, change.HasAfter ? change.After : null })
            {
                if (image is null)
                {
                    continue;
                }

                for (var i = 0; i < image.ColumnCount; i++)
                {
                    text.Append('|').Append(image.GetString(i));
                }
            }

            text.Append('\n').Append(GoldenRowsTests.JsonOf(change));
        }

        return text.ToString();
    }

    public static IReadOnlyList<CapturedEvents> From(byte[] file, string schema, int maxRowsBodyLength)
    {
        var result = new List<CapturedEvents>();
        var context = FormatContext.Default;
        (EventHeader Header, byte[] Body)? map = null;
        long pos = 4;
        while (pos + EventHeader.Size <= file.Length)
        {
            var header = EventHeader.Read(file.AsSpan((int)pos));
            var raw = file.AsSpan((int)pos, (int)header.EventSize);
            if (header.EventType == BinlogEventType.FormatDescription)
            {
                var trailer = FormatDescriptionEvent.ChecksumTrailerLength(raw);
                var reader = new BinlogReader(raw[EventHeader.Size..^trailer], EventHeader.Size);
                var fde = FormatDescriptionEvent.Read(ref reader, header, context);
                context = new FormatContext(fde.BinlogVersion, fde.ServerVersion, fde.PostHeaderLengths, fde.ChecksumAlgorithm);
            }
            else
            {
                var body = raw[EventHeader.Size..^context.ChecksumSize].ToArray();
                if (header.EventType == BinlogEventType.TableMap)
                {
                    var reader = new BinlogReader(body, EventHeader.Size);
                    var parsed = TableMapEvent.Read(ref reader, header, context);
                    map = parsed.Schema == schema ? (header, body) : null;
                }
                else if (RowsEvent.IsRowsEvent(header.EventType) && map is { } m && body.Length <= maxRowsBodyLength)
                {
                    result.Add(new CapturedEvents(context, m.Header, m.Body, header, body));
                }
            }

            pos += header.EventSize;
        }

        return result;
    }
}

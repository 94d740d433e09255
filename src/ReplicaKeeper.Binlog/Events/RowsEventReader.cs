using ReplicaKeeper.Binlog.Columns;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// Reads the rows of a <see cref="RowsEvent"/> one at a time into a reusable
/// <see cref="RowChange"/>; no allocation per row.
/// <code>
/// var change = new RowChange();
/// var rows = rowsEvent.GetRows();
/// while (rows.Read(change)) { var id = change.After[0].Int64; }
/// </code>
/// Malformed rows throw <see cref="BinlogFormatException"/> with the offset inside the event.
/// </summary>
public struct RowsEventReader
{
    private readonly RowsEvent _event;
    private int _position;

    internal RowsEventReader(RowsEvent rowsEvent)
    {
        _event = rowsEvent;
        _position = 0;
    }

    /// <summary>Bytes of row data not read yet.</summary>
    public readonly int Remaining => _event.RowData.Length - _position;

    /// <summary>Decodes the next row change; false when all rows were read.</summary>
    public bool Read(RowChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var e = _event;
        var data = e.RowData;
        if (_position >= data.Length)
        {
            return false;
        }

        var span = data.Span;
        var table = e.Table;
        var columns = table.ColumnArray;
        var baseOffset = e.RowDataOffset < 0 ? 0 : e.RowDataOffset;
        var pos = _position;
        try
        {
            switch (e.Kind)
            {
                case RowsEventKind.Write:
                {
                    var cells = change.After.Prepare(table, data);
                    RowDecoder.ReadImage(span, ref pos, columns, e.ColumnCount, e.ColumnsPresent.Span, e.PresentCount, cells, baseOffset, false, 0, default);
                    change.HasBefore = false;
                    change.HasAfter = true;
                    break;
                }

                case RowsEventKind.Delete:
                {
                    var cells = change.Before.Prepare(table, data);
                    RowDecoder.ReadImage(span, ref pos, columns, e.ColumnCount, e.ColumnsPresent.Span, e.PresentCount, cells, baseOffset, false, 0, default);
                    change.HasBefore = true;
                    change.HasAfter = false;
                    break;
                }

                default:
                {
                    var before = change.Before.Prepare(table, data);
                    RowDecoder.ReadImage(span, ref pos, columns, e.ColumnCount, e.ColumnsPresent.Span, e.PresentCount, before, baseOffset, false, 0, default);
                    var after = change.After.Prepare(table, data);
                    RowDecoder.ReadImage(
                        span, ref pos, columns, e.ColumnCount, e.ColumnsPresentAfter.Span, e.PresentAfterCount, after, baseOffset,
                        e.Kind == RowsEventKind.PartialUpdate, table.JsonColumnCount, before);
                    change.HasBefore = true;
                    change.HasAfter = true;
                    break;
                }
            }
        }
        catch (BinlogFormatException ex) when (ex.EventType is null)
        {
            throw new BinlogFormatException(ex.Reason.Length > 0 ? ex.Reason : ex.Message, null, e.Header.Position, e.EventType, ex.ByteOffset, ex.InnerException);
        }

        _position = pos;
        return true;
    }
}

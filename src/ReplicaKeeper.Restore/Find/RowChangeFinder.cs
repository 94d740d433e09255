using System.Runtime.CompilerServices;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Reading;

namespace ReplicaKeeper.Restore.Find;

/// <summary>
/// Finds row changes in the archive: reads the segments whose index times can overlap the window
/// (the others are skipped without being opened), decodes the rows events of the table, and yields
/// the changes whose before image (update/delete) or after image (insert) matches the filter.
/// </summary>
public sealed class RowChangeFinder(ArchiveSource source)
{
    public async IAsyncEnumerable<FoundChange> FindAsync(ChangeQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var segments = source.Segments.Where(s => query.MayOverlap(s.FirstTime, s.LastTime)).ToList();
        var reader = new TransactionReader(source, keepRawBytes: false);
        var change = new RowChange();
        await foreach (var transaction in reader.ReadAsync(segments, cancellationToken).ConfigureAwait(false))
        {
            if ((query.Since is { } since && transaction.CommitTime < Floor(since, transaction)) ||
                (query.Until is { } until && transaction.CommitTime > until))
            {
                continue;
            }

            string? statement = null;
            foreach (var archived in transaction.Events)
            {
                foreach (var e in Flatten(archived.Event))
                {
                    switch (e)
                    {
                        case RowsQueryEvent rq:
                            statement = rq.Query;
                            break;
                        case MariaDbAnnotateRowsEvent annotate:
                            statement = annotate.Query;
                            break;
                        case RowsEvent rows when Matches(rows.Table, query):
                            var operation = rows.Kind switch
                            {
                                RowsEventKind.Write => RowOperation.Insert,
                                RowsEventKind.Delete => RowOperation.Delete,
                                _ => RowOperation.Update,
                            };
                            if (query.Operation is { } wanted && wanted != operation)
                            {
                                break;
                            }

                            if (!rows.Table.HasColumnNames && query.Filter.Conditions.FirstOrDefault(c => !c.Column.StartsWith('@')) is { Column: { } named })
                            {
                                throw new FormatException(
                                    $"--where {named}: table {rows.Table.FullName} was logged without column names (binlog_row_metadata=MINIMAL or NO_LOG) " +
                                    $"in transaction {transaction.Gtid} at {archived.File}:{archived.Position}. Name its columns by position (@1 is the first) " +
                                    "or set binlog_row_metadata=FULL on the source.");
                            }

                            var iterator = rows.GetRows();
                            while (iterator.Read(change))
                            {
                                var image = change.HasBefore ? change.Before : change.After;
                                if (!query.Filter.Matches(image))
                                {
                                    continue;
                                }

                                yield return new FoundChange(
                                    transaction.Gtid, transaction.CommitTime, transaction.HasMicroseconds, archived.File, archived.Position,
                                    rows.Table.FullName, operation, statement,
                                    change.HasBefore ? ToPairs(change.Before) : null,
                                    change.HasAfter ? ToPairs(change.After) : null);
                            }

                            break;
                    }
                }
            }
        }
    }

    internal static IEnumerable<BinlogEvent> Flatten(BinlogEvent e) =>
        e is TransactionPayloadEvent payload ? payload.Events.SelectMany(Flatten) : [e];

    internal static IReadOnlyList<KeyValuePair<string, string?>> ToPairs(RowImage image)
    {
        var pairs = new List<KeyValuePair<string, string?>>(image.ColumnCount);
        for (var i = 0; i < image.ColumnCount; i++)
        {
            if (image.IsPresent(i))
            {
                pairs.Add(new(image.Column(i).DisplayName, image.Column(i).Type is ColumnType.Blob or ColumnType.String or ColumnType.VarString && image[i].Kind == ValueKind.Binary
                    ? "0x" + Convert.ToHexString(image.GetBinary(i))
                    : image.GetString(i)));
            }
        }

        return pairs;
    }

    private static bool Matches(TableMapEvent table, ChangeQuery query) =>
        string.Equals(table.Table, query.TableName, StringComparison.OrdinalIgnoreCase)
        && (!query.Table.Contains('.', StringComparison.Ordinal) || string.Equals(table.Schema, query.Schema, StringComparison.OrdinalIgnoreCase));

    private static DateTimeOffset Floor(DateTimeOffset since, ArchivedTransaction transaction) =>
        transaction.HasMicroseconds ? since : new DateTimeOffset(since.Ticks - (since.Ticks % TimeSpan.TicksPerSecond), since.Offset);
}

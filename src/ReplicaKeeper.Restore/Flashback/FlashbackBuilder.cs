using System.Text;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Restore.Sql;

namespace ReplicaKeeper.Restore.Flashback;

/// <summary>
/// Builds the inverse row operations of chosen transactions from the archive: a deleted row is inserted
/// again from its before image, an inserted row is deleted by its primary key (by every column when the
/// table has none), an updated row is set back to its before image where it equals the after image.
/// Transactions and their rows are undone in reverse order. Needs full row images (binlog_row_image=FULL).
/// </summary>
public sealed class FlashbackBuilder(ArchiveSource source)
{
    public async ValueTask<FlashbackScript> BuildAsync(IReadOnlyCollection<string> gtids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gtids);
        var wanted = new HashSet<string>(gtids, StringComparer.OrdinalIgnoreCase);
        var script = new FlashbackScript();
        var perTransaction = new List<List<string>>();
        var change = new RowChange();
        await foreach (var transaction in new TransactionReader(source, keepRawBytes: false).ReadAsync(source.Segments, cancellationToken).ConfigureAwait(false))
        {
            if (transaction.Gtid is null || !wanted.Contains(transaction.Gtid))
            {
                continue;
            }

            script.Gtids.Add(transaction.Gtid);
            var undo = new List<string>();
            foreach (var e in transaction.Events.SelectMany(a => RowChangeFinder.Flatten(a.Event)))
            {
                if (e is QueryEvent q && !q.IsBegin && !q.IsCommit)
                {
                    undo.Add("-- not undone (statement, not rows): " + q.Query.ReplaceLineEndings(" "));
                    continue;
                }

                if (e is not RowsEvent rows)
                {
                    continue;
                }

                var reader = rows.GetRows();
                while (reader.Read(change))
                {
                    undo.Add(Inverse(rows.Kind, rows.Table, change, script));
                }
            }

            undo.Reverse();
            perTransaction.Add(undo);
        }

        var missing = wanted.Except(script.Gtids, StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException("not in the archive: " + string.Join(", ", missing));
        }

        perTransaction.Reverse();
        script.Statements.AddRange(perTransaction.SelectMany(u => u));
        return script;
    }

    private static string Inverse(RowsEventKind kind, TableMapEvent table, RowChange change, FlashbackScript script)
    {
        var name = SqlLiteral.Identifier(table.Schema) + "." + SqlLiteral.Identifier(table.Table);
        switch (kind)
        {
            case RowsEventKind.Write:
                return $"DELETE FROM {name} WHERE {Where(change.After)} LIMIT 1";
            case RowsEventKind.Delete:
            {
                var (columns, values) = Tuple(change.Before);
                Quarantine(script, table, columns, values);
                return $"INSERT INTO {name} ({columns}) VALUES ({values})";
            }

            default:
            {
                var (columns, values) = Tuple(change.Before);
                Quarantine(script, table, columns, values);
                var set = new List<string>();
                for (var i = 0; i < change.Before.ColumnCount; i++)
                {
                    if (SqlLiteral.Format(change.Before, i) is { } literal)
                    {
                        set.Add(SqlLiteral.Identifier(change.Before.Column(i).DisplayName) + " = " + literal);
                    }
                }

                return $"UPDATE {name} SET {string.Join(", ", set)} WHERE {Where(change.After)} LIMIT 1";
            }
        }
    }

    private static void Quarantine(FlashbackScript script, TableMapEvent table, string columns, string values)
    {
        if (!script.QuarantineRows.TryGetValue((table.Schema, table.Table), out var rows))
        {
            script.QuarantineRows[(table.Schema, table.Table)] = rows = [];
        }

        rows.Add((columns, values));
    }

    private static (string Columns, string Values) Tuple(RowImage image)
    {
        var columns = new StringBuilder();
        var values = new StringBuilder();
        for (var i = 0; i < image.ColumnCount; i++)
        {
            if (SqlLiteral.Format(image, i) is not { } literal)
            {
                continue;
            }

            if (columns.Length > 0)
            {
                columns.Append(", ");
                values.Append(", ");
            }

            columns.Append(SqlLiteral.Identifier(image.Column(i).DisplayName));
            values.Append(literal);
        }

        return (columns.ToString(), values.ToString());
    }

    /// <summary>Primary-key columns when the table map names them, every present column otherwise.</summary>
    private static string Where(RowImage image)
    {
        var key = Enumerable.Range(0, image.ColumnCount).Where(i => image.Column(i).IsPrimaryKey && image.IsPresent(i)).ToList();
        if (key.Count == 0)
        {
            key = Enumerable.Range(0, image.ColumnCount).Where(image.IsPresent).ToList();
        }

        return string.Join(" AND ", key.Select(i =>
            SqlLiteral.Identifier(image.Column(i).DisplayName) + (image.IsNull(i) ? " IS NULL" : " <=> " + SqlLiteral.Format(image, i))));
    }
}

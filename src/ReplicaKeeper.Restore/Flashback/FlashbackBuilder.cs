using System.Globalization;
using System.Text;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Json;
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

                RequireColumnNames(rows.Table, transaction.Gtid);

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
                    if (Literal(change.Before, i) is { } literal)
                    {
                        set.Add(SqlLiteral.Identifier(change.Before.Column(i).DisplayName) + " = " + literal);
                    }
                }

                return $"UPDATE {name} SET {string.Join(", ", set)} WHERE {Where(change.After)} LIMIT 1";
            }
        }
    }

    /// <summary>
    /// Without column names in the table map (binlog_row_metadata=MINIMAL, or MariaDB's NO_LOG, which also omits
    /// signedness and character sets) the undo statements could only name columns by position, and names taken from
    /// today's information_schema are wrong after any ALTER TABLE since: refuse rather than guess.
    /// </summary>
    private static void RequireColumnNames(TableMapEvent table, string gtid)
    {
        if (!table.HasColumnNames)
        {
            throw new InvalidOperationException(
                $"{table.FullName} in transaction {gtid} was logged without column names (binlog_row_metadata=" +
                (table.HasSignedness ? "MINIMAL" : "NO_LOG") + "), so its undo statements cannot name the columns; " +
                "set binlog_row_metadata=FULL on the source for flashback (a point-in-time restore of this archive still works)");
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
            if (Literal(image, i) is not { } literal)
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
            SqlLiteral.Identifier(image.Column(i).DisplayName) + (image.IsNull(i) ? " IS NULL" : " <=> " + Comparable(image, i))));
    }

    /// <summary>The value's SQL literal; a MySQL JSON document with DECIMAL or temporal scalars as its exact expression.</summary>
    private static string? Literal(RowImage image, int column) =>
        image[column].Kind is ValueKind.Json or ValueKind.JsonDiff ? JsonExpression(image, column) ?? SqlLiteral.Format(image, column) : SqlLiteral.Format(image, column);

    /// <summary>
    /// A MySQL binary JSON document whose text would not re-create it (MySQL parses 12.50 as DOUBLE, a DATETIME as a
    /// string) as the <see cref="JsonSqlExpression"/> with literal values (<c>CAST('12.50' AS DECIMAL(4,2))</c>); null
    /// when its text does.
    /// </summary>
    private static string? JsonExpression(RowImage image, int column) =>
        image.IsUnresolvedJsonDiff(column) ? null : JsonSqlExpression.TryBuild(image, column, value => value switch
        {
            string text => SqlLiteral.Quote(text),
            long number => number.ToString(CultureInfo.InvariantCulture),
            ulong number => number.ToString(CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException($"unexpected JSON value {value.GetType().Name}"),
        });

    /// <summary>
    /// The literal in the column's own type for a WHERE comparison: a FLOAT column compared with 1.1 goes through
    /// DOUBLE and never matches, and a MySQL JSON column compared with a string compares a JSON document with a JSON
    /// string scalar.
    /// </summary>
    private static string? Comparable(RowImage image, int column) => image[column].Kind switch
    {
        ValueKind.Single => $"CAST({SqlLiteral.Format(image, column)} AS FLOAT)",
        ValueKind.Json or ValueKind.JsonDiff => JsonExpression(image, column) ?? $"CAST({SqlLiteral.Format(image, column)} AS JSON)",
        _ => SqlLiteral.Format(image, column),
    };
}

using System.Text;

namespace ReplicaKeeper.Restore.Flashback;

/// <summary>
/// The inverse of one or more transactions: <see cref="Statements"/> undo their row changes (latest first), and
/// <see cref="QuarantineRows"/> hold, per table, the before images the transactions removed or changed, as
/// column lists and SQL value tuples for loading into a quarantine schema.
/// </summary>
public sealed class FlashbackScript
{
    public List<string> Statements { get; } = [];

    public Dictionary<(string Schema, string Table), List<(string Columns, string Values)>> QuarantineRows { get; } = [];

    public List<string> Gtids { get; } = [];

    /// <summary>The SQL file: header, session settings, one transaction undoing everything.</summary>
    public string ToSql()
    {
        var sql = new StringBuilder()
            .AppendLine("-- replicakeeper flashback of " + string.Join(", ", Gtids))
            .AppendLine("-- review before running; row values are exact (TIMESTAMP values are UTC)")
            .AppendLine("SET NAMES utf8mb4;")
            .AppendLine("SET SESSION time_zone = '+00:00';")
            .AppendLine("START TRANSACTION;");
        foreach (var statement in Statements)
        {
            sql.Append(statement).AppendLine(";");
        }

        return sql.AppendLine("COMMIT;").ToString();
    }
}

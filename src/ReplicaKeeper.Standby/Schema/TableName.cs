using System.Diagnostics.CodeAnalysis;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Schema;

/// <summary>A schema-qualified table name, written "db.table".</summary>
public readonly record struct TableName(string Schema, string Table) : IComparable<TableName>
{
    /// <summary>Schemas never copied, compared or applied: the server's own and ours.</summary>
    public static IReadOnlySet<string> ExcludedSchemas { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "mysql", "information_schema", "performance_schema", "sys", PositionSchemaName,
    };

    /// <summary>The schema holding the standby's position and DDL tables.</summary>
    public const string PositionSchemaName = "replicakeeper";

    public static bool IsExcludedSchema(string schema) => ExcludedSchemas.Contains(schema);

    public string Quoted => SqlText.Quote(Schema, Table);

    public override string ToString() => Schema + "." + Table;

    /// <summary>Parses "db.table" (backticks allowed around either part).</summary>
    public static TableName Parse(string text) =>
        TryParse(text, out var name) ? name : throw new FormatException($"Malformed table name '{text}': expected db.table.");

    public static bool TryParse([NotNullWhen(true)] string? text, out TableName name)
    {
        name = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1)
        {
            return false;
        }

        var schema = text[..dot].Trim().Trim('`');
        var table = text[(dot + 1)..].Trim().Trim('`');
        if (schema.Length == 0 || table.Length == 0)
        {
            return false;
        }

        name = new TableName(schema, table);
        return true;
    }

    public int CompareTo(TableName other)
    {
        var bySchema = string.CompareOrdinal(Schema, other.Schema);
        return bySchema != 0 ? bySchema : string.CompareOrdinal(Table, other.Table);
    }
}

using MySqlConnector;
using ReplicaKeeper.Standby.Schema;

namespace ReplicaKeeper.Standby.Seeding;

/// <summary>
/// What a seed copies, read from the source inside its snapshot: the schemas to create, the base tables, and the
/// views, routines, triggers and events of the schemas copied whole. With no filter every schema outside the system
/// ones is copied whole; <c>--schemas</c> names schemas copied whole, <c>--tables</c> single tables (with their
/// triggers, but no views or routines for those).
/// </summary>
internal sealed record SeedPlan(
    IReadOnlyList<string> Schemas,
    IReadOnlyList<string> WholeSchemas,
    IReadOnlyList<TableName> Tables,
    IReadOnlyList<SourceObject> Others)
{
    /// <summary>True when every schema is copied (no filter): the whole target must be empty.</summary>
    public bool Everything { get; init; }

    public static async Task<SeedPlan> ReadAsync(MySqlConnection source, StandbySeedOptions options, CancellationToken ct)
    {
        var everything = options.Schemas.Count == 0 && options.Tables.Count == 0;
        var sourceSchemas = await SchemaCatalog.ListSchemasAsync(source, ct).ConfigureAwait(false);
        var missingSchemas = options.Schemas.Where(s => !sourceSchemas.Contains(s, StringComparer.Ordinal)).ToList();
        if (missingSchemas.Count > 0)
        {
            throw new StandbySeedException($"The source has no schema {string.Join(", ", missingSchemas.Select(s => $"'{s}'"))}.");
        }

        var whole = everything ? sourceSchemas : options.Schemas.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var allTables = await SchemaCatalog.ListTablesAsync(source, ct).ConfigureAwait(false);
        var missingTables = options.Tables.Where(t => !allTables.Contains(t)).ToList();
        if (missingTables.Count > 0)
        {
            throw new StandbySeedException($"The source has no base table {string.Join(", ", missingTables)}.");
        }

        var wholeSet = new HashSet<string>(whole, StringComparer.Ordinal);
        var tables = allTables.Where(t => wholeSet.Contains(t.Schema) || options.Tables.Contains(t)).ToList();
        var schemas = whole.Concat(tables.Select(t => t.Schema)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var others = (await SourceObject.ListAsync(source, ct).ConfigureAwait(false))
            .Where(o => wholeSet.Contains(o.Schema) || (o is { Kind: SourceObjectKind.Trigger, Table: { } table } && options.Tables.Contains(new TableName(o.Schema, table))))
            .ToList();
        return new SeedPlan(schemas, whole, tables, others) { Everything = everything };
    }
}

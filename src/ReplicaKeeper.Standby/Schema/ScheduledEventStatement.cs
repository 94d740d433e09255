using System.Text.RegularExpressions;

namespace ReplicaKeeper.Standby.Schema;

/// <summary>
/// CREATE EVENT / ALTER EVENT statements as replicated DDL. A native replica keeps the events it receives disabled
/// (SLAVESIDE_DISABLED / REPLICA_SIDE_DISABLED) so they never write on the replica; the applier does the same after
/// running such a statement.
/// </summary>
public static partial class ScheduledEventStatement
{
    /// <summary>The event a CREATE or ALTER EVENT statement defines (schema null when the statement does not name one), or false.</summary>
    public static bool TryGetEvent(string sql, out string? schema, out string name)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var match = Statement().Match(sql);
        if (!match.Success)
        {
            schema = null;
            name = "";
            return false;
        }

        var first = Unquote(match.Groups["a"].Value);
        if (match.Groups["b"].Success)
        {
            schema = first;
            name = Unquote(match.Groups["b"].Value);
        }
        else
        {
            schema = null;
            name = first;
        }

        return true;
    }

    private static string Unquote(string identifier) =>
        identifier.StartsWith('`') ? identifier[1..^1].Replace("``", "`", StringComparison.Ordinal) : identifier;

    // CREATE [OR REPLACE] [DEFINER = user] EVENT [IF NOT EXISTS] [schema.]name, ALTER [DEFINER = user] EVENT [schema.]name
    [GeneratedRegex(
        @"^\s*(?:/\*.*?\*/\s*)*(?:CREATE(?:\s+OR\s+REPLACE)?|ALTER)\s+(?:DEFINER\s*=\s*(?:`[^`]*`|'[^']*'|[^\s@]+)(?:\s*@\s*(?:`[^`]*`|'[^']*'|[^\s]+))?\s+)?EVENT\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<a>`(?:[^`]|``)+`|[\w$]+)(?:\s*\.\s*(?<b>`(?:[^`]|``)+`|[\w$]+))?",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Statement();
}

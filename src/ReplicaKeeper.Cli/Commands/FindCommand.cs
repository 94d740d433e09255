using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Replay;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper find</c>: row changes of one table in the archive, with GTID, time, position, statement and images.</summary>
internal static class FindCommand
{
    public static Command Create()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var table = new Option<string>("--table") { Description = "schema.table", Required = true };
        var where = new Option<string?>("--where") { Description = "col=value [AND col=value ...] on the before image (after image for inserts)" };
        var op = new Option<string?>("--op") { Description = "insert | update | delete" };
        var since = new Option<string?>("--since") { Description = "Earliest commit time (UTC unless an offset is given)" };
        var until = new Option<string?>("--until") { Description = "Latest commit time" };
        var format = new Option<string>("--format") { Description = "text | json", DefaultValueFactory = _ => "text" };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var command = new Command("find", "Find row changes in the archive (which transaction deleted patient 4711?).");
        foreach (var option in new Option[] { archive, table, where, op, since, until, format, keyFile })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            try
            {
                RowOperation? operation = parse.GetValue(op) is { } text ? Enum.Parse<RowOperation>(text, ignoreCase: true) : null;
                var query = new ChangeQuery(
                    parse.GetValue(table)!, RowFilter.Parse(parse.GetValue(where)), operation,
                    parse.GetValue(since) is { } s ? RestoreTarget.ParseTime(s) : null,
                    parse.GetValue(until) is { } u ? RestoreTarget.ParseTime(u) : null);
                using var key = ArchiveKey.Load(parse.GetValue(keyFile));
                var source = await ArchiveSource.OpenAsync(parse.GetValue(archive)!, key, ct);
                var json = string.Equals(parse.GetValue(format), "json", StringComparison.OrdinalIgnoreCase);
                var count = 0;
                await foreach (var change in new RowChangeFinder(source).FindAsync(query, ct))
                {
                    count++;
                    output.WriteLine(json ? JsonSerializer.Serialize(ToJson(change)) : ToText(change));
                }

                if (!json)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} matching row change(s)"));
                }

                return count > 0 ? 0 : 1;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or ArchiveGapException or ArchiveKeyException)
            {
                parse.InvocationConfiguration.Error.WriteLine("find: " + ex.Message);
                return 2;
            }
        });
        return command;
    }

    private static string Time(FoundChange c) =>
        c.CommitTime.UtcDateTime.ToString(c.HasMicroseconds ? "yyyy-MM-dd HH:mm:ss.ffffff" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string ToText(FoundChange c)
    {
        var lines = new List<string>
        {
            $"{c.Operation.ToString().ToUpperInvariant()} {c.Table}  gtid {c.Gtid ?? "-"}  at {Time(c)}  {c.File}:{c.Position}",
        };
        if (c.Statement is not null)
        {
            lines.Add("  statement: " + c.Statement);
        }

        if (c.Before is not null)
        {
            lines.Add("  before: " + Image(c.Before));
        }

        if (c.After is not null)
        {
            lines.Add("  after:  " + Image(c.After));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Image(IReadOnlyList<KeyValuePair<string, string?>> image) =>
        string.Join(", ", image.Select(p => p.Key + "=" + (p.Value is null ? "NULL" : "'" + p.Value + "'")));

    private static Dictionary<string, object?> ToJson(FoundChange c) => new()
    {
        ["gtid"] = c.Gtid,
        ["time"] = Time(c),
        ["file"] = c.File,
        ["position"] = c.Position,
        ["table"] = c.Table,
        ["operation"] = c.Operation.ToString().ToLowerInvariant(),
        ["statement"] = c.Statement,
        ["before"] = c.Before?.ToDictionary(p => p.Key, p => p.Value),
        ["after"] = c.After?.ToDictionary(p => p.Key, p => p.Value),
    };
}

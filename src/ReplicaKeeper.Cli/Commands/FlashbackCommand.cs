using System.CommandLine;
using MySqlConnector;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Flashback;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper flashback</c>: the inverse of a transaction as SQL, optionally loaded into a quarantine schema.</summary>
internal static class FlashbackCommand
{
    public static Command Create()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var gtid = new Option<string[]>("--gtid") { Description = "Transaction(s) to undo (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var outFile = new Option<string?>("--out") { Description = "Write the inverse SQL to this file (default: standard output)" };
        var target = new Option<string?>("--target") { Description = "Connection string of the production instance (read; written only with --apply --yes)" };
        var into = new Option<string?>("--into") { Description = "Quarantine schema on --target for the before images" };
        var apply = new Option<bool>("--apply") { Description = "Run the inverse SQL on --target" };
        var yes = new Option<bool>("--yes") { Description = "Confirm --apply" };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var command = new Command("flashback", "Inverse row operations of transactions: an SQL file, a quarantine schema with a diff, never production unless --apply --yes.");
        foreach (var option in new Option[] { archive, gtid, outFile, target, into, apply, yes, keyFile })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                using var key = ArchiveKey.Load(parse.GetValue(keyFile));
                var source = await ArchiveSource.OpenAsync(parse.GetValue(archive)!, key, ct);
                var script = await new FlashbackBuilder(source).BuildAsync(parse.GetValue(gtid) ?? [], ct);
                var sql = script.ToSql();
                if (parse.GetValue(outFile) is { } path)
                {
                    await File.WriteAllTextAsync(path, sql, ct);
                    output.WriteLine($"wrote {script.Statements.Count} inverse statement(s) to {path}");
                }
                else
                {
                    output.Write(sql);
                }

                var connection = parse.GetValue(target);
                if (connection is not null && parse.GetValue(into) is { } schema)
                {
                    foreach (var line in await QuarantineLoader.LoadAsync(script, connection, schema, ct))
                    {
                        output.WriteLine(line);
                    }
                }

                if (parse.GetValue(apply))
                {
                    if (connection is null || !parse.GetValue(yes))
                    {
                        error.WriteLine("flashback: --apply needs --target and --yes; production was not touched");
                        return 2;
                    }

                    await using var db = new MySqlConnection(connection);
                    await db.OpenAsync(ct);
                    await using var run = new MySqlCommand(sql, db);
                    await run.ExecuteNonQueryAsync(ct);
                    output.WriteLine($"applied {script.Statements.Count} inverse statement(s) to the target");
                }

                return 0;
            }
            catch (Exception ex) when (ex is IOException or ArchiveGapException or ArchiveKeyException or MySqlException or InvalidOperationException or ArgumentException)
            {
                error.WriteLine("flashback: " + ex.Message);
                return 1;
            }
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Snapshots;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper snapshot --from CONNSTR --archive DIR</c>: a consistent logical snapshot of the standby into the
/// archive (stamped with the source position it holds, sealed like segments, recorded in the manifest), then optional
/// snapshot retention (<c>--keep N</c>, <c>--keep-days D</c>). <c>snapshot list --archive DIR</c> lists them.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "Connection string of the standby to snapshot (the master is never touched)" };
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file: the snapshot is encrypted with it (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var keyEnv = new Option<string?>("--key-env") { Description = $"Environment variable holding the archive key (default {ArchiveKey.DefaultEnvironmentVariable})" };
        var channel = new Option<string>("--channel") { Description = "The standby's applied_position channel", DefaultValueFactory = _ => "default" };
        var keep = new Option<int?>("--keep") { Description = "Afterwards keep only the N newest snapshots (and any younger than --keep-days)" };
        var keepDays = new Option<double?>("--keep-days") { Description = "Afterwards delete snapshots older than D days (the newest always stays)" };
        var connections = new Option<int?>("--connections")
        {
            Description = "Connections reading tables at once, all at one consistent state of the standby (default min(4, tables); 1 = one after the other)",
        };
        var command = new Command("snapshot", "Take a consistent snapshot of the standby into the archive (restore starts from the newest one before its target).");
        foreach (var option in new Option[] { from, archive, keyFile, keyEnv, channel, keep, keepDays, connections })
        {
            command.Options.Add(option);
        }

        command.Subcommands.Add(CreateList());
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (string.IsNullOrWhiteSpace(parse.GetValue(from)))
            {
                error.WriteLine("snapshot: --from CONNSTR (the standby) is required (or use 'snapshot list')");
                return 2;
            }

            if (!Directory.Exists(parse.GetValue(archive)))
            {
                error.WriteLine($"snapshot: archive directory {parse.GetValue(archive)} does not exist (a snapshot belongs to the archive of the standby's source: check --archive)");
                return 2;
            }

            if (parse.GetValue(connections) is < 1)
            {
                error.WriteLine("snapshot: --connections must be at least 1");
                return 2;
            }

            try
            {
                using var key = ArchiveKey.Load(parse.GetValue(keyFile), parse.GetValue(keyEnv));
                var layout = new ArchiveLayout(parse.GetValue(archive)!);
                var taker = new SnapshotTaker(layout, key);
                var lastTable = "";
                var progress = new Progress<SnapshotProgress>(p =>
                {
                    if (p.Table is { } table && table != lastTable)
                    {
                        lastTable = table;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{p.TablesDone + 1}/{p.TablesTotal}] {table} ({p.Rows} rows so far)"));
                    }
                });
                var info = await taker.TakeAsync(new SnapshotOptions { StandbyConnectionString = parse.GetValue(from)!, Channel = parse.GetValue(channel)!, Connections = parse.GetValue(connections) }, progress, ct);
                output.WriteLine($"snapshot {info.Id}: {info.Tables} tables, {info.Rows} rows, {info.StoredSize / 1048576.0:F1} MiB stored{(info.IsEncrypted ? " (encrypted)" : "")}");
                output.WriteLine($"  tables read with {info.ReadConnections} connection(s){(info.ParallelFallback is { } reason ? " (fewer than asked: " + reason + ")" : "")}");
                output.WriteLine($"  corresponds to source {info.Position} (from {(info.Position.Origin == SnapshotPositionOrigin.AppliedPosition ? "the standby's applied_position" : "the standby's own GTIDs: it has no position table")})");
                if (parse.GetValue(keep) is not null || parse.GetValue(keepDays) is not null)
                {
                    var retention = new SnapshotRetention(parse.GetValue(keep), parse.GetValue(keepDays) is { } days ? TimeSpan.FromDays(days) : null);
                    foreach (var gone in await retention.ApplyAsync(layout, null, ct))
                    {
                        output.WriteLine($"  retired snapshot {gone.Id} (taken {gone.TakenAt:yyyy-MM-dd HH:mm:ss} UTC)");
                    }
                }

                return 0;
            }
            catch (Exception ex) when (ex is ArchiveKeyException or MySqlException or InvalidOperationException or IOException or InvalidDataException)
            {
                error.WriteLine("snapshot: " + ex.Message);
                return 1;
            }
        });
        return command;
    }

    private static Command CreateList()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var command = new Command("list", "List the archive's snapshots, oldest first.");
        command.Options.Add(archive);
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var snapshots = await SnapshotCatalog.ReadAsync(new ArchiveLayout(parse.GetValue(archive)!), ct);
            if (snapshots.Count == 0)
            {
                output.WriteLine("no snapshots");
            }

            foreach (var snapshot in snapshots)
            {
                output.WriteLine(snapshot.ToString());
            }

            return 0;
        });
        return command;
    }
}

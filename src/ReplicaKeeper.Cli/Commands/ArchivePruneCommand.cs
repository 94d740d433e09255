using System.CommandLine;
using System.Globalization;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Retention;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper archive prune --dir DIR --retain-days N [--retain-gb G] [--dry-run]</c>: retention, oldest
/// first, never past the oldest kept snapshot's position nor (with an off-site store configured) a segment
/// not copied off-site yet.
/// </summary>
internal static class ArchivePruneCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be deleted." };
        var command = new Command("prune", "Delete sealed segments older / beyond the retention policy; keeps what the oldest snapshot and the off-site copy still need.");
        var settings = ArchiveSettings.AddTo(command, key: false, retention: true, offsite: true);
        command.Options.Add(dryRun);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var config = await settings.ResolveAsync(parse, ct);
                var layout = config.Layout();
                if (!File.Exists(layout.ManifestPath))
                {
                    await Console.Error.WriteLineAsync($"archive prune: {layout.ManifestPath} does not exist (not an archive, or nothing sealed yet)");
                    return ArchiveCommand.ExitCodes.Usage;
                }

                if (config.ToRetentionPolicy() is not { } policy)
                {
                    await Console.Error.WriteLineAsync("archive prune: no retention policy (--retain-days / --retain-gb or archive.retention)");
                    return ArchiveCommand.ExitCodes.Usage;
                }

                var retention = new ArchiveRetention(layout, policy, ArchiveSettings.RetentionPins(layout, config));
                var dry = parse.GetValue(dryRun);
                var plan = dry ? await retention.PlanAsync(ct) : await retention.ApplyAsync(ct);
                foreach (var segment in plan.Delete)
                {
                    Console.WriteLine((dry ? "would delete: " : "deleted: ") + segment);
                }

                if (plan.KeptBecause is not null)
                {
                    Console.WriteLine("kept: " + plan.KeptBecause);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"OK: {plan.Delete.Count} segment(s) {(dry ? "would be " : "")}deleted; {plan.StoredBytesAfter} bytes stored after"));
                return ArchiveCommand.ExitCodes.Ok;
            }
            catch (ArchiveConfigException ex)
            {
                await Console.Error.WriteLineAsync("archive prune: " + ex.Message);
                return ArchiveCommand.ExitCodes.Usage;
            }
            catch (OffsiteException ex)
            {
                await Console.Error.WriteLineAsync("archive prune: " + ex.Message);
                return ArchiveCommand.ExitCodes.OffsiteProblem;
            }
        });
        return command;
    }
}

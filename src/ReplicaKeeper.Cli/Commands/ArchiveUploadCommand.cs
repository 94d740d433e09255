using System.CommandLine;
using System.Globalization;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Offsite;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper archive upload --dir DIR --s3-bucket B</c>: one upload pass of everything sealed and not copied yet, manifest last.</summary>
internal static class ArchiveUploadCommand
{
    public static Command Create()
    {
        var command = new Command("upload", "Copy sealed segments not copied yet, then the manifest, to the S3-compatible off-site store (idempotent; resumes where a cut pass stopped).");
        var settings = ArchiveSettings.AddTo(command, key: false, offsite: true);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var config = await settings.ResolveAsync(parse, ct);
                var layout = config.Layout();
                if (!Directory.Exists(layout.Root))
                {
                    await Console.Error.WriteLineAsync($"archive upload: archive directory {layout.Root} does not exist");
                    return ArchiveCommand.ExitCodes.Usage;
                }

                using var store = ArchiveSettings.OpenStore(config);
                if (store is null)
                {
                    await Console.Error.WriteLineAsync("archive upload: no off-site store configured (--s3-bucket or archive.offsite.bucket)");
                    return ArchiveCommand.ExitCodes.Usage;
                }

                var result = await new OffsiteUploader(layout, store).UploadAsync(ct);
                foreach (var name in result.Uploaded)
                {
                    Console.WriteLine("uploaded: " + name);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"OK: {result.Uploaded.Count} object(s) uploaded ({result.BytesUploaded} bytes), {result.AlreadyThere} already there; remote manifest holds {result.ManifestLines} line(s){(result.ManifestUploaded ? " (updated)" : "")} at {store.Target}"));
                return ArchiveCommand.ExitCodes.Ok;
            }
            catch (ArchiveConfigException ex)
            {
                await Console.Error.WriteLineAsync("archive upload: " + ex.Message);
                return ArchiveCommand.ExitCodes.Usage;
            }
            catch (OffsiteException ex)
            {
                await Console.Error.WriteLineAsync("archive upload: " + ex.Message);
                return ArchiveCommand.ExitCodes.OffsiteProblem;
            }
        });
        return command;
    }
}

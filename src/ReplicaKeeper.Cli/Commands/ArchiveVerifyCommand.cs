using System.CommandLine;
using System.Globalization;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Configuration;
using ReplicaKeeper.Archive.Offsite;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper archive verify --dir DIR [--remote | --remote-only]</c>: every check, each problem on its own
/// line, exit 1 when any. <c>--remote</c> also checks the off-site copy against the local archive;
/// <c>--remote-only</c> checks the off-site copy alone (no local archive needed).
/// </summary>
internal static class ArchiveVerifyCommand
{
    public static Command Create()
    {
        var remote = new Option<bool>("--remote") { Description = "Also check the off-site copy: its manifest equals the local chain, every object's size and SHA-256, missing/extra objects, and the full checks on the downloaded copy." };
        var remoteOnly = new Option<bool>("--remote-only") { Description = "Check only the off-site copy, on its own (no local archive needed)." };
        var command = new Command("verify", "Check the archive: manifest hash chain, segment sequence, SHA-256 of every segment, decryption, decompression, every event's CRC32, positions and GTID continuity; optionally the off-site copy.");
        var settings = ArchiveSettings.AddTo(command, offsite: true);
        command.Options.Add(remote);
        command.Options.Add(remoteOnly);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var config = await settings.ResolveAsync(parse, ct);
                var checkRemote = parse.GetValue(remote) || parse.GetValue(remoteOnly);
                var checkLocal = !parse.GetValue(remoteOnly);
                using var key = config.LoadKey();
                var failed = false;
                ArchiveLayout? layout = null;
                if (checkLocal)
                {
                    layout = config.Layout();
                    failed |= !await VerifyLocalAsync(layout, key, ct);
                }
                else if (!string.IsNullOrWhiteSpace(config.Dir))
                {
                    await Console.Error.WriteLineAsync("archive verify: --remote-only checks the off-site copy alone; --dir is ignored");
                }

                if (checkRemote)
                {
                    using var store = ArchiveSettings.OpenStore(config)
                        ?? throw new ArchiveConfigException("--remote needs an off-site store (--s3-bucket or archive.offsite.bucket)");
                    failed |= !await VerifyRemoteAsync(store, layout, key, ct);
                }

                return failed ? ArchiveCommand.ExitCodes.Failed : ArchiveCommand.ExitCodes.Ok;
            }
            catch (ArchiveKeyException ex)
            {
                await Console.Error.WriteLineAsync("archive verify: " + ex.Message);
                return ArchiveCommand.ExitCodes.KeyProblem;
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or ArchiveConfigException)
            {
                await Console.Error.WriteLineAsync("archive verify: " + ex.Message);
                return ArchiveCommand.ExitCodes.Usage;
            }
            catch (OffsiteException ex)
            {
                await Console.Error.WriteLineAsync("archive verify: " + ex.Message);
                return ArchiveCommand.ExitCodes.OffsiteProblem;
            }
        });
        return command;
    }

    private static async Task<bool> VerifyLocalAsync(ArchiveLayout layout, ArchiveKey? key, CancellationToken ct)
    {
        var report = await new ArchiveVerifier(layout, key).VerifyAsync(ct);
        Print(report.Notes, report.Problems);
        var summary = Summary(report);
        if (report.IsValid)
        {
            Console.WriteLine($"OK: {summary}; GTIDs {report.LastGtids ?? "(none)"}");
            return true;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAILED: {report.Problems.Count} problem(s); checked {summary}"));
        return false;
    }

    private static async Task<bool> VerifyRemoteAsync(IOffsiteStore store, ArchiveLayout? local, ArchiveKey? key, CancellationToken ct)
    {
        var report = await new RemoteVerifier(store, local, key).VerifyAsync(ct);
        Print(report.Notes, report.Problems);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"remote copy {report.Target}: {report.RemoteManifestLines} manifest line(s){(report.LocalManifestLines is { } l ? $" (local {l})" : "")}, {report.ObjectsChecked} object(s), {report.BytesChecked} bytes{(report.Contents is { } c ? "; contents: " + Summary(c) : "")}");
        if (report.IsValid)
        {
            Console.WriteLine("OK: " + summary);
            return true;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAILED: {report.Problems.Count} problem(s); {summary}"));
        return false;
    }

    private static void Print(IReadOnlyList<string> notes, IReadOnlyList<ArchiveProblem> problems)
    {
        foreach (var note in notes)
        {
            Console.WriteLine("note: " + note);
        }

        foreach (var problem in problems)
        {
            Console.WriteLine("PROBLEM: " + problem);
        }
    }

    private static string Summary(VerifyReport report) => string.Create(CultureInfo.InvariantCulture,
        $"{report.SealedSegments} sealed + {report.RawSegments} open segment(s) ({report.FirstSegment} .. {report.LastSegment}), {report.OriginalBytes} bytes ({report.StoredBytes} stored), {report.Events} events, {report.Transactions} transactions");
}

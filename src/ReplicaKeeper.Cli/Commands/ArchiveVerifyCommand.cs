using System.CommandLine;
using System.Globalization;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Verification;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper archive verify --dir DIR</c>: every check, each problem on its own line, exit 1 when any.</summary>
internal static class ArchiveVerifyCommand
{
    public static Command Create()
    {
        var dir = ArchiveOptions.Directory();
        var keyFile = ArchiveOptions.KeyFile();
        var keyEnv = ArchiveOptions.KeyEnvironmentVariable();
        var command = new Command("verify", "Check the archive: manifest hash chain, segment sequence, SHA-256 of every segment, decryption, decompression, every event's CRC32, positions and GTID continuity.");
        command.Options.Add(dir);
        command.Options.Add(keyFile);
        command.Options.Add(keyEnv);
        command.SetAction(async (parse, ct) =>
        {
            var layout = new ArchiveLayout(parse.GetValue(dir)!);
            try
            {
                using var key = ArchiveKey.Load(parse.GetValue(keyFile), parse.GetValue(keyEnv));
                var report = await new ArchiveVerifier(layout, key).VerifyAsync(ct);
                foreach (var note in report.Notes)
                {
                    Console.WriteLine("note: " + note);
                }

                foreach (var problem in report.Problems)
                {
                    Console.WriteLine("PROBLEM: " + problem);
                }

                var summary = string.Create(CultureInfo.InvariantCulture,
                    $"{report.SealedSegments} sealed + {report.RawSegments} open segment(s) ({report.FirstSegment} .. {report.LastSegment}), {report.OriginalBytes} bytes ({report.StoredBytes} stored), {report.Events} events, {report.Transactions} transactions");
                if (report.IsValid)
                {
                    Console.WriteLine($"OK: {summary}; GTIDs {report.LastGtids ?? "(none)"}");
                    return ArchiveCommand.ExitCodes.Ok;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAILED: {report.Problems.Count} problem(s); checked {summary}"));
                return ArchiveCommand.ExitCodes.Failed;
            }
            catch (ArchiveKeyException ex)
            {
                await Console.Error.WriteLineAsync("archive verify: " + ex.Message);
                return ArchiveCommand.ExitCodes.KeyProblem;
            }
            catch (DirectoryNotFoundException ex)
            {
                await Console.Error.WriteLineAsync("archive verify: " + ex.Message);
                return ArchiveCommand.ExitCodes.Usage;
            }
        });
        return command;
    }
}

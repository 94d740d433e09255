using System.CommandLine;
using System.Globalization;
using ReplicaKeeper.Archive;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper archive status --dir DIR</c>: durable end, size, oldest restorable point, lag when known.</summary>
internal static class ArchiveStatusCommand
{
    public static Command Create()
    {
        var dir = ArchiveOptions.Directory();
        var command = new Command("status", "Show the archive's last durable position and GTIDs, segments and sizes, the oldest restorable point and (from the running archiver) how far behind the source it is.");
        command.Options.Add(dir);
        command.SetAction(async (parse, ct) =>
        {
            ArchiveStatus status;
            try
            {
                status = await ArchiveStatus.ReadAsync(new ArchiveLayout(parse.GetValue(dir)!), ct);
            }
            catch (DirectoryNotFoundException ex)
            {
                await Console.Error.WriteLineAsync("archive status: " + ex.Message);
                return ArchiveCommand.ExitCodes.Usage;
            }

            var inv = CultureInfo.InvariantCulture;
            var d = status.Durable;
            Console.WriteLine(d is null ? "durable:      (nothing archived yet)" : string.Create(inv, $"durable:      {d.File}:{d.Offset}"));
            Console.WriteLine($"gtids:        {d?.Gtids ?? "(none)"}");
            Console.WriteLine($"last gtid:    {d?.LastGtid ?? "(none)"}{(d?.LastTransactionTime is { } t ? string.Create(inv, $" at {t:u}") : "")}");
            Console.WriteLine(string.Create(inv, $"segments:     {status.SealedSegments} sealed, {status.RawSegments} open/unsealed, {status.RetiredSegments} retired"));
            Console.WriteLine(string.Create(inv, $"size:         {status.OriginalBytes} bytes of binlog, {status.StoredBytes} bytes stored"));
            Console.WriteLine($"oldest point: {status.OldestSegment ?? "(none)"}:4{(status.OldestTime is { } o ? string.Create(inv, $" ({o:u})") : "")}{(status.OldestGtids is { Length: > 0 } g ? $" after GTIDs {g}" : "")}");
            if (status.State is { MasterFile: not null } state)
            {
                Console.WriteLine(string.Create(inv, $"source:       {state.MasterFile}:{state.MasterPosition} (reported {state.UpdatedAt:u})"));
                Console.WriteLine(string.Create(inv, $"behind:       {(status.BytesBehind is { } b ? $"{b} bytes" : "bytes unknown (different file)")}, {(status.SecondsBehind is { } s ? $"{s:0} s" : "seconds unknown")}"));
            }
            else
            {
                Console.WriteLine("behind:       unknown (no running archiver has reported the source position)");
            }

            return ArchiveCommand.ExitCodes.Ok;
        });
        return command;
    }
}

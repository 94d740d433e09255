using System.CommandLine;
using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Replay;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper restore</c>: point-in-time restore of the archive into a target instance.</summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var archive = new Option<string>("--archive") { Description = "Archive directory", Required = true };
        var target = new Option<string>("--target") { Description = "Connection string of the instance to restore into", Required = true };
        var toTime = new Option<string?>("--to-time") { Description = "Restore every transaction committed at or before this time (microseconds; UTC unless an offset is given)" };
        var toGtid = new Option<string?>("--to-gtid") { Description = "Restore up to and including this transaction" };
        var beforeGtid = new Option<string?>("--before-gtid") { Description = "Restore everything before this transaction" };
        var toPosition = new Option<string?>("--to-position") { Description = "FILE:POS — restore the transactions that start before it" };
        var latest = new Option<bool>("--latest") { Description = "Restore everything the archive holds" };
        var skip = new Option<string[]>("--skip-gtid") { Description = "Leave this transaction out (repeatable)", AllowMultipleArgumentsPerToken = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "The target holds data: drop its schemas and GTID history first" };
        var keyFile = new Option<string?>("--key-file") { Description = "Archive key file (default: REPLICAKEEPER_ARCHIVE_KEY)" };
        var command = new Command("restore", "Point-in-time restore: replay the archive into an empty instance, stopping exactly at the target.");
        foreach (var option in new Option[] { archive, target, toTime, toGtid, beforeGtid, toPosition, latest, skip, overwrite, keyFile })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var chosen = new List<RestoreTarget>();
                if (parse.GetValue(toTime) is { } t)
                {
                    chosen.Add(RestoreTarget.ToTime(RestoreTarget.ParseTime(t)));
                }

                if (parse.GetValue(toGtid) is { } g)
                {
                    chosen.Add(RestoreTarget.ToGtid(g));
                }

                if (parse.GetValue(beforeGtid) is { } b)
                {
                    chosen.Add(RestoreTarget.BeforeGtid(b));
                }

                if (parse.GetValue(toPosition) is { } p)
                {
                    chosen.Add(RestoreTarget.ToPosition(RestoreTarget.ParsePosition(p)));
                }

                if (parse.GetValue(latest))
                {
                    chosen.Add(RestoreTarget.Latest);
                }

                if (chosen.Count != 1)
                {
                    error.WriteLine("restore: give exactly one of --to-time, --to-gtid, --before-gtid, --to-position, --latest");
                    return 2;
                }

                var connection = parse.GetValue(target)!;
                using var key = ArchiveKey.Load(parse.GetValue(keyFile));
                var source = await ArchiveSource.OpenAsync(parse.GetValue(archive)!, key, ct);
                var restore = new PointInTimeRestore(source);
                output.WriteLine($"checking {source.Segments.Count} archived segment(s) ...");
                var plan = await restore.PlanAsync(chosen[0], parse.GetValue(skip) ?? [], ct);

                var schemas = await TargetInstance.UserSchemasAsync(connection, ct);
                if (schemas.Count > 0)
                {
                    if (!parse.GetValue(overwrite))
                    {
                        error.WriteLine($"restore: the target is not empty (schemas: {string.Join(", ", schemas)}); restore into an empty scratch instance, or pass --overwrite to drop them");
                        return 3;
                    }

                    await TargetInstance.ResetAsync(connection, ct);
                }

                var progress = new ConsoleProgress(output, Console.IsOutputRedirected);
                var result = await restore.ReplayAsync(plan, connection, progress, ct);
                progress.Finish();
                output.WriteLine(result.Describe());
                return 0;
            }
            catch (ArchiveGapException ex)
            {
                error.WriteLine("restore refused, nothing was written to the target: " + ex.Message);
                return 4;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or ArchiveKeyException or MySqlException or InvalidOperationException or NotSupportedException)
            {
                error.WriteLine("restore: " + ex.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>A one-line progress bar with rate and ETA on a terminal; a line every 10 % otherwise.</summary>
    private sealed class ConsoleProgress(TextWriter output, bool plain) : IProgress<RestoreProgress>
    {
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private int _lastDecile = -1;
        private DateTimeOffset _lastDraw;

        public void Report(RestoreProgress value)
        {
            var fraction = value.BytesTotal == 0 ? 1 : Math.Clamp((double)value.BytesDone / value.BytesTotal, 0, 1);
            var elapsed = DateTimeOffset.UtcNow - _started;
            var eta = fraction > 0.001 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{fraction * 100,5:F1}% {value.BytesDone / 1048576.0:F1}/{value.BytesTotal / 1048576.0:F1} MiB  {value.Transactions} trx  ETA {eta:hh\\:mm\\:ss}  last {value.LastGtid}");
            if (plain)
            {
                var decile = (int)(fraction * 10);
                if (decile != _lastDecile)
                {
                    _lastDecile = decile;
                    output.WriteLine(text);
                }

                return;
            }

            var now = DateTimeOffset.UtcNow;
            if (now - _lastDraw < TimeSpan.FromMilliseconds(100) && fraction < 1)
            {
                return;
            }

            _lastDraw = now;
            var width = 30;
            var filled = (int)(fraction * width);
            output.Write("\r[" + new string('#', filled) + new string('.', width - filled) + "] " + text + "   ");
        }

        public void Finish()
        {
            if (!plain)
            {
                output.WriteLine();
            }
        }
    }
}

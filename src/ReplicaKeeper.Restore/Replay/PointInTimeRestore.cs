using System.Diagnostics;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Reading;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>
/// Point-in-time restore from the archive: checks the run of segments up to the target (no gap, every
/// segment reads back whole) and the target instance (empty unless overwriting) before writing
/// anything, then replays the archived transactions as one stream through <see cref="BinlogStatementApplier"/>,
/// stopping exactly at the target and leaving out the transactions to skip.
/// </summary>
public sealed class PointInTimeRestore(ArchiveSource source)
{
    /// <summary>Selects and checks the segments; throws <see cref="ArchiveGapException"/> naming a gap or a damaged segment.</summary>
    public async ValueTask<RestorePlan> PlanAsync(RestoreTarget target, IReadOnlyCollection<string> skipGtids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(skipGtids);
        var segments = source.Segments.ToList();
        if (segments.Count == 0)
        {
            throw new ArchiveGapException($"the archive {source.Layout.Root} holds no segments");
        }

        // Segments that start after the target are not needed (index times are whole seconds).
        if (target.Kind == RestoreTargetKind.ToTime && target.Time is { } time)
        {
            var cut = segments.FindIndex(1, s => s.FirstTime is { } first && first > time.AddSeconds(1));
            if (cut > 0)
            {
                segments = segments[..cut];
            }
        }
        else if (target.Kind == RestoreTargetKind.ToPosition && target.Position is { } position)
        {
            var last = segments.FindIndex(s => s.Name == position.File);
            if (last < 0)
            {
                throw new ArchiveGapException($"the archive has no segment {position.File}");
            }

            segments = segments[..(last + 1)];
        }

        await source.VerifyChainAsync(segments, lastMayBeOpen: true, cancellationToken).ConfigureAwait(false);
        long total = 0;
        foreach (var segment in segments)
        {
            total += segment.Entry?.OriginalSize ?? new FileInfo(segment.Path).Length;
        }

        return new RestorePlan(segments, total, new HashSet<string>(skipGtids, StringComparer.OrdinalIgnoreCase), target);
    }

    /// <summary>Replays <paramref name="plan"/> into the instance at <paramref name="targetConnectionString"/>.</summary>
    public async ValueTask<RestoreResult> ReplayAsync(
        RestorePlan plan, string targetConnectionString, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var clock = Stopwatch.StartNew();
        var target = plan.Target;
        var reader = new TransactionReader(source, keepRawBytes: true);
        await using var applier = await BinlogStatementApplier.OpenAsync(targetConnectionString, cancellationToken).ConfigureAwait(false);
        var offsets = SegmentOffsets(plan);
        string? lastGtid = null;
        DateTimeOffset? lastTime = null;
        BinlogPosition? lastPosition = null;
        long applied = 0;
        var skipped = new List<string>();
        var reachedGtid = false;
        await foreach (var transaction in reader.ReadAsync(plan.Segments, cancellationToken).ConfigureAwait(false))
        {
            if (!Includes(target, transaction))
            {
                reachedGtid = target.Kind == RestoreTargetKind.BeforeGtid;
                break;
            }

            if (transaction.Gtid is { } gtid && plan.SkipGtids.Contains(gtid))
            {
                skipped.Add(gtid);
            }
            else
            {
                await applier.ApplyAsync(transaction, cancellationToken).ConfigureAwait(false);
                applied++;
                lastGtid = transaction.Gtid;
                lastTime = transaction.CommitTime;
                lastPosition = transaction.End;
            }

            progress?.Report(new RestoreProgress(offsets[transaction.End.File] + (long)transaction.End.Offset, plan.TotalBytes, applied, lastGtid, lastTime));
            if (target.Kind == RestoreTargetKind.ToGtid && string.Equals(transaction.Gtid, target.Gtid, StringComparison.OrdinalIgnoreCase))
            {
                reachedGtid = true;
                break;
            }
        }

        if (target.Kind is RestoreTargetKind.ToGtid or RestoreTargetKind.BeforeGtid && !reachedGtid)
        {
            throw new InvalidOperationException(
                $"GTID {target.Gtid} is not in the archive; the target now holds everything up to {lastGtid ?? "nothing"} — restore again with a GTID the archive has (see `replicakeeper find`)");
        }

        progress?.Report(new RestoreProgress(plan.TotalBytes, plan.TotalBytes, applied, lastGtid, lastTime));
        return new RestoreResult(lastGtid, lastTime, lastPosition, applied, skipped.Count, skipped, clock.Elapsed, target);
    }

    internal static bool Includes(RestoreTarget target, ArchivedTransaction transaction) => target.Kind switch
    {
        RestoreTargetKind.ToTime => transaction.CommitTime <= target.Time,
        RestoreTargetKind.BeforeGtid => !string.Equals(transaction.Gtid, target.Gtid, StringComparison.OrdinalIgnoreCase),
        RestoreTargetKind.ToPosition => target.Position is not { } p
            || !string.Equals(transaction.Start.File, p.File, StringComparison.Ordinal)
            || transaction.Start.Offset < p.Offset,
        _ => true,
    };

    private static Dictionary<string, long> SegmentOffsets(RestorePlan plan)
    {
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long sum = 0;
        foreach (var segment in plan.Segments)
        {
            offsets[segment.Name] = sum;
            sum += segment.Entry?.OriginalSize ?? new FileInfo(segment.Path).Length;
        }

        return offsets;
    }
}

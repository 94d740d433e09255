using System.Diagnostics;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Restore.Snapshots;
using ReplicaKeeper.Standby.Apply;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>
/// Point-in-time restore: picks the newest snapshot that holds nothing beyond the target (nor any transaction to
/// skip), checks the run of segments from its position up to the target (no gap, every segment reads back whole) and
/// the snapshot's stored file, all before writing anything; then loads the snapshot into the target and replays the
/// archived transactions after it as one stream through the standby applier (<see cref="EventApplier"/>), stopping
/// exactly at the target and leaving out the transactions to skip. Without a usable snapshot it replays from the
/// archive's first segment, which must be the master's first binlog (or <see cref="RestoreOptions.AllowArchiveWithoutBase"/>).
/// </summary>
public sealed class PointInTimeRestore(ArchiveSource source)
{
    /// <summary>
    /// Chooses the snapshot and the segments and checks them; throws <see cref="ArchiveGapException"/> naming a gap or
    /// damaged segment, <see cref="SnapshotFormatException"/> naming a damaged snapshot.
    /// </summary>
    public async ValueTask<RestorePlan> PlanAsync(RestoreTarget target, IReadOnlyCollection<string> skipGtids, CancellationToken cancellationToken) =>
        await PlanAsync(target, skipGtids, RestoreOptions.Default, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="PlanAsync(RestoreTarget, IReadOnlyCollection{string}, CancellationToken)"/>
    public async ValueTask<RestorePlan> PlanAsync(RestoreTarget target, IReadOnlyCollection<string> skipGtids, RestoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(skipGtids);
        ArgumentNullException.ThrowIfNull(options);
        var skip = new HashSet<string>(skipGtids, StringComparer.OrdinalIgnoreCase);
        var segments = source.Segments.ToList();
        if (segments.Count == 0)
        {
            throw new ArchiveGapException($"the archive {source.Layout.Root} holds no segments");
        }

        var (snapshot, choice) = options.UseSnapshots
            ? await ChooseSnapshotAsync(target, skip, cancellationToken).ConfigureAwait(false)
            : (null, "snapshots not used (asked not to)");
        if (snapshot is not null)
        {
            if (snapshot.Position.File is { } file)
            {
                var first = segments.FindIndex(s => s.Name == file);
                if (first < 0)
                {
                    throw new ArchiveGapException(
                        $"archive gap: snapshot {snapshot.Id} corresponds to {snapshot.Position.Binlog}, but the archive has no segment {file} to replay from");
                }

                segments = segments[first..];
            }

            await SnapshotCatalog.CheckStoredAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        else if (!options.AllowArchiveWithoutBase)
        {
            var startsAtFirst = await StartsAtFirstBinlogAsync(segments[0], cancellationToken).ConfigureAwait(false);
            if (startsAtFirst is not null)
            {
                throw new ArchiveGapException(
                    $"no snapshot to start from ({choice}), and the archive cannot be replayed from its start: {startsAtFirst}. "
                    + "Take a snapshot of the standby (replicakeeper snapshot), or pass --from-archive-start if the target already holds everything before it");
            }
        }

        // Segments that start after the target are not needed (index times are whole seconds).
        if (target.Kind == RestoreTargetKind.ToTime && target.Time is { } time)
        {
            var cut = segments.FindIndex(1, s => s.FirstTime is { } firstTime && firstTime > time.AddSeconds(1));
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
                throw new ArchiveGapException($"the archive has no segment {position.File}{(snapshot is null ? "" : $" at or after snapshot {snapshot.Id}")}");
            }

            segments = segments[..(last + 1)];
        }

        await source.VerifyChainAsync(segments, lastMayBeOpen: true, cancellationToken).ConfigureAwait(false);
        long total = 0;
        foreach (var segment in segments)
        {
            total += SizeOf(segment);
        }

        return new RestorePlan(segments, total, skip, target, snapshot, choice, options);
    }

    /// <summary>Loads the plan's snapshot (if any) into the instance at <paramref name="targetConnectionString"/> and replays the plan's segments.</summary>
    public async ValueTask<RestoreResult> ReplayAsync(
        RestorePlan plan, string targetConnectionString, IProgress<RestoreProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var clock = Stopwatch.StartNew();
        var target = plan.Target;
        var options = plan.Options ?? RestoreOptions.Default;
        var snapshot = plan.Snapshot;
        SnapshotLoadResult? loaded = null;
        if (snapshot is not null)
        {
            var rows = progress is null ? null : new Progress<SnapshotProgress>(p =>
                progress.Report(new RestoreProgress(p.Rows, Math.Max(snapshot.Rows, 1), 0, null, null, RestorePhase.Snapshot)));
            loaded = await SnapshotLoader.LoadAsync(snapshot, source.Key, targetConnectionString, options.Channel, rows, cancellationToken).ConfigureAwait(false);
        }

        var reader = new TransactionReader(source, keepRawBytes: false);
        await using var applier = await EventApplier.OpenAsync(
            new EventApplierOptions { TargetConnectionString = targetConnectionString, Channel = options.Channel, OnConflict = options.OnConflict }, cancellationToken).ConfigureAwait(false);
        var offsets = SegmentOffsets(plan);
        ReplicationEventBuilder? events = null;
        string? lastGtid = null;
        DateTimeOffset? lastTime = null;
        BinlogPosition? lastPosition = null;
        long applied = 0;
        var skipped = new List<string>();
        var reachedGtid = target.Kind == RestoreTargetKind.ToGtid && snapshot?.Position.ContainsGtid(target.Gtid!) == true;
        if (!reachedGtid)
        {
            await foreach (var transaction in reader.ReadAsync(plan.Segments, cancellationToken).ConfigureAwait(false))
            {
                if (snapshot is not null && snapshot.Position.Holds(transaction))
                {
                    continue;
                }

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
                    events ??= new ReplicationEventBuilder(StartCheckpoint(snapshot, transaction, plan));
                    foreach (var archived in transaction.Events)
                    {
                        await applier.HandleAsync(events.Next(archived.File, archived.Position, archived.EndPosition, archived.Event, archived.Raw), cancellationToken)
                            .ConfigureAwait(false);
                    }

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
        }

        await applier.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (target.Kind is RestoreTargetKind.ToGtid or RestoreTargetKind.BeforeGtid && !reachedGtid)
        {
            throw new InvalidOperationException(
                $"GTID {target.Gtid} is not in the archive{(snapshot is null ? "" : $" after snapshot {snapshot.Id}")}; the target now holds everything up to {lastGtid ?? snapshot?.Position.ToString() ?? "nothing"} — restore again with a GTID the archive has (see `replicakeeper find`)");
        }

        progress?.Report(new RestoreProgress(plan.TotalBytes, plan.TotalBytes, applied, lastGtid, lastTime));
        return new RestoreResult(lastGtid, lastTime, lastPosition, applied, skipped.Count, skipped, clock.Elapsed, target, snapshot)
        {
            DisabledEvents = await DisabledEventsAsync(targetConnectionString, loaded, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>The target's events that are not ENABLED after the replay, with their status on the standby when the snapshot recorded it.</summary>
    private static async Task<IReadOnlyList<DisabledEvent>> DisabledEventsAsync(string targetConnectionString, SnapshotLoadResult? loaded, CancellationToken ct)
    {
        var (connection, _) = await StandbyConnections.OpenAsync(targetConnectionString, ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var events = await DisabledEvent.ReadAsync(connection, ct).ConfigureAwait(false);
            return events.Select(e => e with
            {
                StatusOnSource = loaded?.DisabledEvents.FirstOrDefault(d => d.Schema == e.Schema && d.Name == e.Name)?.StatusOnStandby,
            }).ToList();
        }
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

    /// <summary>The newest snapshot that holds nothing the target excludes; with the reason for the choice.</summary>
    private async Task<(SnapshotInfo? Snapshot, string Choice)> ChooseSnapshotAsync(RestoreTarget target, HashSet<string> skip, CancellationToken ct)
    {
        var snapshots = await SnapshotCatalog.ReadAsync(source.Layout, ct).ConfigureAwait(false);
        if (snapshots.Count == 0)
        {
            return (null, "the archive has no snapshot");
        }

        var reasons = new List<string>();
        foreach (var snapshot in snapshots.OrderByDescending(s => s.TakenAt))
        {
            var why = Unusable(snapshot, target, skip);
            if (why is null)
            {
                return (snapshot, reasons.Count == 0
                    ? $"newest snapshot {snapshot.Id}"
                    : $"snapshot {snapshot.Id}; newer ones hold too much ({string.Join("; ", reasons)})");
            }

            reasons.Add($"{snapshot.Id} {why}");
        }

        return (null, "every snapshot holds transactions beyond the target: " + string.Join("; ", reasons));
    }

    /// <summary>Why <paramref name="snapshot"/> cannot be the base for <paramref name="target"/>, or null when it can.</summary>
    internal static string? Unusable(SnapshotInfo snapshot, RestoreTarget target, IReadOnlySet<string> skip)
    {
        var position = snapshot.Position;
        foreach (var gtid in skip)
        {
            if (position.ContainsGtid(gtid) != false)
            {
                return $"may hold {gtid}, which is to be skipped";
            }
        }

        switch (target.Kind)
        {
            case RestoreTargetKind.ToGtid:
                var contains = position.ContainsGtid(target.Gtid!);
                return contains == false || (contains == true && string.Equals(position.LastTransaction, target.Gtid, StringComparison.OrdinalIgnoreCase))
                    ? null
                    : contains == true ? $"holds transactions after {target.Gtid}" : "has no GTIDs to compare with";
            case RestoreTargetKind.BeforeGtid:
                return position.ContainsGtid(target.Gtid!) == false ? null : $"holds {target.Gtid}";
            case RestoreTargetKind.ToPosition:
                return position.Binlog is { } at && target.Position is { } p
                    && (SegmentName.Comparer.Compare(at.File, p.File) < 0 || (at.File == p.File && at.Offset <= p.Offset))
                    ? null
                    : $"is at {position}, after {target.Position}";
            case RestoreTargetKind.ToTime:
                return snapshot.SourceCommitTime is { } time && time <= target.Time
                    ? null
                    : $"holds transactions committed up to {snapshot.SourceCommitTime:yyyy-MM-dd HH:mm:ss.ffffff}, after the target time";
            default:
                return null;
        }
    }

    /// <summary>The checkpoint the replay continues from: the snapshot's GTIDs/position, else nothing, in the archive's identity.</summary>
    private static ReplicationCheckpoint StartCheckpoint(SnapshotInfo? snapshot, ArchivedTransaction first, RestorePlan plan)
    {
        var position = snapshot?.Position;
        if (first.Gtid is not null && first.IsMariaDb)
        {
            return ReplicationCheckpoint.FromMariaDbGtids(position?.MariaDbGtids is { } list ? MariaDbGtidList.Parse(list) : MariaDbGtidList.Empty);
        }

        if (first.Gtid is not null)
        {
            return ReplicationCheckpoint.FromGtidSet(position?.MySqlGtids is { } set ? GtidSet.Parse(set) : GtidSet.Empty);
        }

        return ReplicationCheckpoint.FromPosition(position?.Binlog ?? new BinlogPosition(plan.Segments[0].Name, 4));
    }

    /// <summary>Null when the segment is the master's first binlog (nothing before it: empty PREVIOUS_GTIDS / GTID_LIST); otherwise why not.</summary>
    private async Task<string?> StartsAtFirstBinlogAsync(ArchivedSegment segment, CancellationToken ct)
    {
        await using var stream = source.Open(segment);
        using var scanner = new BinlogFrameScanner(stream, segment.Name, new BinlogFrameScannerOptions(), leaveOpen: true);
        using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
        for (var i = 0; i < 8 && await scanner.MoveNextAsync(ct).ConfigureAwait(false); i++)
        {
            var frame = scanner.Current;
            BinlogEvent decoded;
            try
            {
                decoded = decoder.Decode(frame.Bytes.Span, segment.Name, frame.Position);
            }
            catch (BinlogFormatException)
            {
                break;
            }

            switch (decoded)
            {
                case PreviousGtidsEvent previous:
                    return previous.Entries.Count == 0 ? null : $"its first segment {segment.Name} follows GTIDs {previous.GtidSetText} that are not archived";
                case MariaDbGtidListEvent list:
                    return list.Gtids.Count == 0 ? null : $"its first segment {segment.Name} follows GTIDs {list.GtidListText} that are not archived";
                case GtidEvent or MariaDbGtidEvent or QueryEvent:
                    i = int.MaxValue - 1;
                    break;
            }
        }

        return SegmentName.TryParse(segment.Name, out var name) && name.Sequence == 1
            ? null
            : $"its first segment {segment.Name} is not the master's first binlog";
    }

    private static long SizeOf(ArchivedSegment segment) => segment.Entry?.OriginalSize ?? new FileInfo(segment.Path).Length;

    private static Dictionary<string, long> SegmentOffsets(RestorePlan plan)
    {
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long sum = 0;
        foreach (var segment in plan.Segments)
        {
            offsets[segment.Name] = sum;
            sum += SizeOf(segment);
        }

        return offsets;
    }
}

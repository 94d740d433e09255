using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Archive.Live;

/// <summary>
/// The long-running archiver: recovers the archive directory, resumes the source's dump at the
/// last durable transaction boundary (file + offset, so segments stay byte-identical), appends
/// every event through the <see cref="SegmentWriter"/>, and seals closed segments in order on a
/// background worker. Reconnects are the replication stream's business; an event that does not
/// continue the archive exactly stops the archiver with <see cref="ArchiveStreamException"/>.
/// Every fsync that advances the durable position is reported to the stream (<see cref="ReplicationStream.MarkDurable"/>),
/// so with <see cref="ReplicationOptions.SemiSyncAck"/> the source gets its semi-sync ACK only once the transaction is on disk.
/// </summary>
public static class LiveArchiver
{
    public static async Task RunAsync(LiveArchiverOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var layout = options.Layout;
        var log = options.Logger;

        // A missing or wrong key must stop us before recovery touches anything.
        var manifest = await Manifest.ReadAsync(layout, cancellationToken);
        CheckKey(manifest, options.Key);

        var seals = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var sealer = new SegmentSealer(layout, options.Key);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sealing = Task.Run(() => SealLoopAsync(seals.Reader, sealer, log, stop.Token), CancellationToken.None);

        var durableSink = new StrongBox<ReplicationStream?>();
        var writer = await SegmentWriter.OpenAsync(layout, new SegmentWriterOptions
        {
            SegmentClosed = (name, ct) => seals.Writer.WriteAsync(name, ct),
            TransactionsDurable = options.TransactionsDurable,
            DurableAdvanced = durable => Volatile.Read(ref durableSink.Value)?.MarkDurable(
                ReplicationCheckpoint.FromPosition(new BinlogPosition(durable.File, (ulong)durable.Offset))),
        }, cancellationToken);
        try
        {
            var recovery = writer.Recovery;
            if (recovery.TruncatedBytes > 0)
            {
                log.Warning("Recovery cut {Bytes} bytes ({Reason}) from {File}; resuming at {Position}",
                    recovery.TruncatedBytes, recovery.TruncationReason, recovery.ResumeFile, recovery.ResumePosition);
            }

            foreach (var pending in recovery.PendingSeal)
            {
                await seals.Writer.WriteAsync(pending, cancellationToken);
            }

            var (file, position) = await StartPointAsync(writer, recovery, options, cancellationToken);
            log.Information("Archiving from {File}:{Position} into {Directory}", file, position, layout.Root);
            var client = new ReplicaClient(options.Replication);
            var stream = client.OpenStream(ReplicationCheckpoint.FromPosition(new BinlogPosition(file, (ulong)position)));
            Volatile.Write(ref durableSink.Value, stream);
            await foreach (var item in stream.WithCancellation(cancellationToken))
            {
                switch (item.Kind)
                {
                    case ReplicationEventKind.Heartbeat:
                        if (item.NextOffset is { } beat)
                        {
                            writer.ReportMasterPosition(item.File, (long)beat, null);
                        }

                        break;

                    case ReplicationEventKind.TransactionAborted:
                        log.Warning("The source no longer has the transaction being received in {File}; cutting it", item.File);
                        await writer.AbortOpenTransactionAsync(cancellationToken);
                        break;

                    default:
                        await writer.AppendAsync(item.RawBytes, cancellationToken);
                        if (!item.IsArtificial && item.NextOffset is { } next)
                        {
                            writer.ReportMasterPosition(item.File, (long)next, DateTimeOffset.FromUnixTimeSeconds(item.Event.Header.Timestamp));
                        }

                        if (item.CompletesTransaction && stream.SemiSyncActive)
                        {
                            // the stream reads nothing more until this transaction is durable and acknowledged: wait for the
                            // fsync here, so that a failing disk stops the archiver instead of leaving the stream waiting
                            await writer.FlushAsync(cancellationToken);
                        }

                        break;
                }
            }
        }
        finally
        {
            await writer.DisposeAsync();
            seals.Writer.TryComplete();
            try
            {
                await sealing.WaitAsync(TimeSpan.FromSeconds(cancellationToken.IsCancellationRequested ? 5 : 600), CancellationToken.None);
            }
            catch (TimeoutException)
            {
                log.Warning("Sealing did not finish; the remaining raw segments are sealed on the next start");
            }
            catch (OperationCanceledException)
            {
            }

            await stop.CancelAsync();
        }
    }

    /// <summary>Refuses to run when the archive holds encrypted segments and the key is missing or different.</summary>
    public static void CheckKey(Manifest manifest, ArchiveKey? key)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var keyIds = manifest.Entries.Where(e => e.Encryption is not null).Select(e => e.KeyId).Distinct(StringComparer.Ordinal).ToList();
        if (keyIds.Count == 0)
        {
            return;
        }

        if (key is null)
        {
            throw new ArchiveKeyException(
                $"this archive is encrypted (key id {string.Join(", ", keyIds)}) and no key is configured; pass --key-file or set {ArchiveKey.DefaultEnvironmentVariable}. Nothing was written.");
        }

        if (keyIds[^1] != key.KeyId)
        {
            throw new ArchiveKeyException(
                $"wrong archive key: the archive uses key id {keyIds[^1]}, the configured key has id {key.KeyId}. Nothing was written.");
        }
    }

    private static async ValueTask<(string File, long Position)> StartPointAsync(
        SegmentWriter writer, RecoveredArchive recovery, LiveArchiverOptions options, CancellationToken cancellationToken)
    {
        if (writer.ResumePoint.File is { } file)
        {
            return (file, writer.ResumePoint.Position);
        }

        if (recovery.LastSealedSegment is null && options.StartFile is { } start)
        {
            return (start, BinlogMagic.Size);
        }

        var files = await BinaryLogsAsync(options.Replication.Connection, cancellationToken);
        if (files.Count == 0)
        {
            throw new InvalidOperationException("the source has no binary logs (is log_bin enabled?)");
        }

        if (recovery.LastSealedSegment is null)
        {
            return (files[0], BinlogMagic.Size);
        }

        // The last sealed segment ended without a ROTATE (the source stopped): continue with the next file it has.
        var following = files.FirstOrDefault(f => SegmentName.Comparer.Compare(f, recovery.LastSealedSegment) > 0)
            ?? throw new InvalidOperationException($"the source has no binlog after {recovery.LastSealedSegment}");
        return (following, BinlogMagic.Size);
    }

    private static async ValueTask<List<string>> BinaryLogsAsync(ConnectionOptions connection, CancellationToken cancellationToken)
    {
        var session = await ProtocolConnection.OpenAsync(connection, cancellationToken);
        await using (session)
        {
            var result = await session.QueryAsync("SHOW BINARY LOGS", cancellationToken);
            return result.Rows.Select(r => r[0]).OfType<string>().ToList();
        }
    }

    private static async Task SealLoopAsync(ChannelReader<string> reader, SegmentSealer sealer, Serilog.ILogger log, CancellationToken cancellationToken)
    {
        await foreach (var segment in reader.ReadAllAsync(cancellationToken))
        {
            var entry = await sealer.SealAsync(segment, cancellationToken);
            log.Information("Sealed {Segment}: {Original} -> {Stored} bytes, {Transactions} transactions, last GTID {Gtid}",
                segment, entry.OriginalSize, entry.StoredSize, entry.Transactions, entry.LastGtid);
        }
    }
}

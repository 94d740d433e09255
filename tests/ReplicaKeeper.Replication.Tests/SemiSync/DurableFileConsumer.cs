using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Replication.Tests.SemiSync;

/// <summary>
/// A minimal archiver for the tests: writes the events of one binlog file exactly as received into a local copy,
/// fsyncs at every transaction end and then marks the stream durable there (after an optional delay).
/// </summary>
internal sealed class DurableFileConsumer(ReplicationStream stream, string binlogFile, string copyPath)
{
    private static readonly byte[] Magic = [0xFE, (byte)'b', (byte)'i', (byte)'n'];

    /// <summary>How long to hold back MarkDurable after each fsync (simulates a slow disk).</summary>
    public TimeSpan DurableDelay { get; set; }

    /// <summary>Transactions completed (and marked durable) so far.</summary>
    public int Transactions => Volatile.Read(ref _transactions);

    private int _transactions;

    /// <summary>Consumes until the stream leaves <c>binlogFile</c> (a ROTATE to the next file) or <paramref name="ct"/> ends.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await using var copy = new FileStream(copyPath, FileMode.Create, FileAccess.Write, FileShare.Read);
        await copy.WriteAsync(Magic, ct);
        await foreach (var e in stream.WithCancellation(ct))
        {
            if (e.Kind != ReplicationEventKind.Event || e.IsArtificial || e.Offset is null || e.File != binlogFile)
            {
                continue;
            }

            await copy.WriteAsync(e.RawBytes, ct);
            if (e.Event is Binlog.Events.RotateEvent)
            {
                await copy.FlushAsync(ct);
                return;
            }

            if (e.CompletesTransaction)
            {
                await copy.FlushAsync(ct);
                copy.Flush(flushToDisk: true);
                if (DurableDelay > TimeSpan.Zero)
                {
                    await Task.Delay(DurableDelay, ct);
                }

                stream.MarkDurable(ReplicationCheckpoint.FromPosition(new BinlogPosition(e.File, e.NextOffset!.Value)));
                Interlocked.Increment(ref _transactions);
            }
        }
    }
}

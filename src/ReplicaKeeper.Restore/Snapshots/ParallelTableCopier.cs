using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using MySqlConnector;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Reads tables with several connections (all inside snapshots of one state, see <see cref="SnapshotSessions"/>) into
/// one deterministic stream: tables are handed out in catalog order, each connection reads its table's records
/// (<see cref="SnapshotTableReader"/>) into that table's small bounded queue, and the stream takes the queues strictly in
/// catalog order. So the stream is the same as with one connection, and memory stays bounded (per connection: a few
/// row batches of <see cref="SnapshotOptions.BatchBytes"/>): a connection whose table is not yet due waits, unread.
/// </summary>
internal static class ParallelTableCopier
{
    private const int QueuedRecordsPerTable = 4;

    /// <summary>
    /// Writes every table to <paramref name="output"/> in the order given; returns the rows of each.
    /// <paramref name="starting"/> is told each table's index as its turn comes, with the rows written before it.
    /// </summary>
    public static async Task<long[]> CopyAsync(
        IReadOnlyList<MySqlConnection> connections,
        IReadOnlyList<(string Schema, string Name)> tables,
        ISnapshotRecordSink output,
        SnapshotOptions options,
        Action<int, long>? starting,
        CancellationToken ct)
    {
        var queues = tables.Select(_ => Channel.CreateBounded<QueuedRecord>(
            new BoundedChannelOptions(QueuedRecordsPerTable) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait })).ToArray();
        var rows = new long[tables.Count];
        var next = -1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        async Task ReadTablesAsync(MySqlConnection connection)
        {
            while (Interlocked.Increment(ref next) is var i && i < tables.Count)
            {
                var queue = queues[i].Writer;
                try
                {
                    rows[i] = await SnapshotTableReader.CopyAsync(connection, tables[i].Schema, tables[i].Name, new QueueSink(queue), options, stop.Token).ConfigureAwait(false);
                    queue.TryComplete();
                }
                catch (Exception ex)
                {
                    queue.TryComplete(ex);
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }
        }

        long written = 0;
        var readers = connections.Select(c => Task.Run(() => ReadTablesAsync(c), CancellationToken.None)).ToArray();
        try
        {
            for (var i = 0; i < tables.Count; i++)
            {
                starting?.Invoke(i, written);
                await foreach (var record in queues[i].Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await output.WriteAsync(record.Type, record.Payload, stop.Token).ConfigureAwait(false);
                }

                written += rows[i];
            }
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var reader in readers)
            {
                try
                {
                    await reader.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ExceptionDispatchInfo.Throw(ex); // the connection's own failure says more than the hand-over's
                }
                catch (OperationCanceledException)
                {
                }
            }

            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default))).ConfigureAwait(false);
        }

        return rows;
    }

    private readonly record struct QueuedRecord(SnapshotRecordType Type, byte[] Payload);

    /// <summary>Copies each record (the reader reuses its batch buffer) into the table's queue, waiting while it is full.</summary>
    private sealed class QueueSink(ChannelWriter<QueuedRecord> queue) : ISnapshotRecordSink
    {
        public ValueTask WriteAsync(SnapshotRecordType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
            queue.WriteAsync(new QueuedRecord(type, payload.ToArray()), cancellationToken);
    }
}

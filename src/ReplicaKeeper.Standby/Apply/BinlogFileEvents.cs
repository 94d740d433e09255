using System.Runtime.CompilerServices;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Binlog files (a server's own, or copies) read as the <see cref="ReplicationEvent"/> stream an
/// <see cref="EventApplier"/> takes (see <see cref="ReplicationEventBuilder"/>). Checksums are verified; every event
/// owns its bytes. A file that ends inside an event (still being written) stops after its last complete event.
/// </summary>
public static class BinlogFileEvents
{
    /// <summary>The events of <paramref name="paths"/>, read in the given order as one stream.</summary>
    /// <param name="paths">Binlog files of one source, oldest first.</param>
    /// <param name="start">
    /// The identity the checkpoints are kept in, and what the consumer already has: e.g. an empty GTID set
    /// (<see cref="ReplicationCheckpoint.FromGtidSet"/>) or MariaDB GTID list, or a file position.
    /// </param>
    /// <param name="ct">Cancels the reading.</param>
    public static async IAsyncEnumerable<ReplicationEvent> ReadAsync(
        IEnumerable<string> paths, ReplicationCheckpoint start, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var builder = new ReplicationEventBuilder(start);
        foreach (var path in paths)
        {
            var name = Path.GetFileName(path);
            using var scanner = BinlogFrameScanner.Open(path, new BinlogFrameScannerOptions { VerifyChecksums = true });
            using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
            while (await scanner.MoveNextAsync(ct).ConfigureAwait(false))
            {
                var frame = scanner.Current;
                ReadOnlyMemory<byte> raw = frame.Bytes.ToArray();
                var decoded = decoder.Decode(raw, name, frame.Position);
                yield return builder.Next(name, frame.Position, frame.EndPosition, decoded, raw);
            }
        }
    }
}

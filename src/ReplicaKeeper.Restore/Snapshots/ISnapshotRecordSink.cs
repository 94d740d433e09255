using System.Text.Json;
using ReplicaKeeper.Archive;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>Where snapshot records go: the stream itself (<see cref="SnapshotStreamWriter"/>) or a table's hand-over queue.</summary>
internal interface ISnapshotRecordSink
{
    /// <summary>Writes one record; <paramref name="payload"/> may be reused by the caller once this returns.</summary>
    ValueTask WriteAsync(SnapshotRecordType type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

internal static class SnapshotRecordSinkExtensions
{
    public static ValueTask WriteJsonAsync<T>(this ISnapshotRecordSink sink, SnapshotRecordType type, T value, CancellationToken cancellationToken) =>
        sink.WriteAsync(type, JsonSerializer.SerializeToUtf8Bytes(value, ArchiveJson.Options), cancellationToken);
}

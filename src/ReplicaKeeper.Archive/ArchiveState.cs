using System.Text.Json;

namespace ReplicaKeeper.Archive;

/// <summary>
/// What the running archiver last reported (state.json): the durable position and, when the live
/// connection knows it, the master's position from its latest event or heartbeat. Informational:
/// resume always rescans the segments, so a stale state file never causes loss.
/// </summary>
public sealed record ArchiveState(
    DurablePosition? Durable,
    DateTimeOffset UpdatedAt,
    string? MasterFile = null,
    long? MasterPosition = null,
    DateTimeOffset? MasterEventTime = null)
{
    public static async ValueTask<ArchiveState?> ReadAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!File.Exists(layout.StatePath))
        {
            return null;
        }

        await using var stream = File.OpenRead(layout.StatePath);
        return await JsonSerializer.DeserializeAsync<ArchiveState>(stream, ArchiveJson.Options, cancellationToken);
    }

    public ValueTask WriteAsync(ArchiveLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return AtomicFile.WriteAllBytesAsync(layout.StatePath, JsonSerializer.SerializeToUtf8Bytes(this, ArchiveJson.Indented), cancellationToken);
    }
}

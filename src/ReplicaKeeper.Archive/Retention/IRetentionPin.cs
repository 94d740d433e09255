namespace ReplicaKeeper.Archive.Retention;

/// <summary>
/// Something that needs part of the archive to stay: a snapshot (base backup) needs every segment
/// from the binlog position it was taken at onwards to be restorable to any later point. Retention
/// never deletes a segment at or after the oldest point any pin returns.
/// </summary>
public interface IRetentionPin
{
    /// <summary>Shown when a segment is kept because of this pin.</summary>
    string Name { get; }

    /// <summary>The oldest archive position this pin needs, or null when it needs nothing (any more).</summary>
    ValueTask<RetentionPinPoint?> OldestNeededAsync(CancellationToken cancellationToken);
}

/// <summary>A binlog position (segment + offset) a pin needs, and why.</summary>
public sealed record RetentionPinPoint(string Segment, long Offset, string Reason);

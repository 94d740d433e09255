namespace ReplicaKeeper.Archive.Segments;

public enum AppendKind
{
    /// <summary>The event was appended to its segment.</summary>
    Written,

    /// <summary>The event is not part of the master's file (fake ROTATE, fake FORMAT_DESCRIPTION, heartbeat, other artificial events).</summary>
    Skipped,
}

/// <summary>What <see cref="SegmentWriter.AppendAsync"/> did with one event; <see cref="ClosedSegment"/> names a segment that the event completed.</summary>
public readonly record struct AppendResult(AppendKind Kind, string? ClosedSegment = null);

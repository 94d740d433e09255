namespace ReplicaKeeper.Archive.Segments;

public enum ScanOutcome
{
    /// <summary>A whole event was read (checksum verified when the file has checksums).</summary>
    Event,

    /// <summary>Clean end: the data ends exactly after the previous event.</summary>
    End,

    /// <summary>The data ends inside an event (a torn tail).</summary>
    TornTail,

    /// <summary>The bytes at this offset are not a valid event (bad size, bad checksum, bad magic).</summary>
    Corrupt,
}

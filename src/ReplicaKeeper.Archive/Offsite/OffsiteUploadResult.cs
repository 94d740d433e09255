namespace ReplicaKeeper.Archive.Offsite;

/// <summary>What one upload pass did: objects sent, objects found already there, and the manifest lines the remote copy now holds.</summary>
public sealed record OffsiteUploadResult(
    IReadOnlyList<string> Uploaded,
    int AlreadyThere,
    long BytesUploaded,
    int ManifestLines,
    bool ManifestUploaded);

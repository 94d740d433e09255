using ReplicaKeeper.Archive.Verification;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// Outcome of <see cref="RemoteVerifier"/>: problems with the off-site copy (each naming the object or
/// manifest line), notes, and the deep check of the downloaded copy when it could be decrypted.
/// </summary>
public sealed record RemoteVerifyReport(
    string Target,
    IReadOnlyList<ArchiveProblem> Problems,
    IReadOnlyList<string> Notes,
    int RemoteManifestLines,
    int? LocalManifestLines,
    int ObjectsChecked,
    long BytesChecked,
    VerifyReport? Contents)
{
    public bool IsValid => Problems.Count == 0;
}

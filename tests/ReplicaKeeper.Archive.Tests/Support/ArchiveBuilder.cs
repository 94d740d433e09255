using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Storage;

namespace ReplicaKeeper.Archive.Tests.Support;

/// <summary>Builds an archive from a fixture's master files the way the live archiver does: writer + sealer on every closed segment.</summary>
internal static class ArchiveBuilder
{
    public static async Task BuildAsync(ArchiveLayout layout, string flavor, ArchiveKey? key = null, IEnumerable<string>? names = null)
    {
        var sealer = new SegmentSealer(layout, key);
        await using var writer = await SegmentWriter.OpenAsync(layout, new SegmentWriterOptions
        {
            SegmentClosed = async (name, ct) => await sealer.SealAsync(name, ct),
        }, CancellationToken.None);
        foreach (var ev in MasterFiles.DumpStream(flavor, names ?? MasterFiles.Names(flavor)))
        {
            await writer.AppendAsync(ev, CancellationToken.None);
        }

        await writer.FlushAsync(CancellationToken.None);
    }
}

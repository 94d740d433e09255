using Xunit;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Support;

namespace ReplicaKeeper.Archive.Tests.Storage;

public sealed class ManifestAppendTests
{
    [Fact]
    public async Task Concurrent_appends_from_several_writers_form_one_unbroken_chain()
    {
        using var dir = new TempDirectory();
        const int writers = 8;
        const int perWriter = 25;
        // separate tasks on the thread pool, like the daemon's sealer, snapshot taker and retention passes
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await Manifest.AppendAsync(dir.Layout, new ManifestEntry { Segment = $"w{w}-{i}", RecordedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None);
            }
        })));

        var manifest = await Manifest.ReadAsync(dir.Layout, CancellationToken.None);
        Assert.Equal(writers * perWriter, manifest.Entries.Count);
        var previous = ManifestEntry.GenesisHash;
        for (var i = 0; i < manifest.Lines.Count; i++)
        {
            var line = manifest.Lines[i];
            Assert.Null(line.Error);
            Assert.Equal(i + 1, line.Entry!.Sequence);
            Assert.Equal(previous, line.Entry.Prev);
            previous = line.Hash;
        }

        Assert.Equal(writers * perWriter, manifest.Entries.Select(e => e.Segment).Distinct().Count());
    }
}

using ReplicaKeeper.Archive.Gtids;
using ReplicaKeeper.Archive.Index;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Index;

public sealed class ArchiveIndexTests
{
    [Fact]
    public async Task A_gtid_maps_to_the_segment_that_holds_it_and_a_transaction_start_before_it()
    {
        using var dir = new TempDirectory();
        // small segments: one index point each, at the first transaction start
        await ArchiveBuilder.BuildAsync(dir.Layout, "mysql");
        var index = await ArchiveIndex.LoadAsync(dir.Layout, CancellationToken.None);
        var sid = Guid.Parse("607c45ad-e907-11f1-8991-02fc00000001");

        // mysqlbinlog: bin.000002 starts after :1-6; its first transaction (GTID 7) starts at 198
        var seventh = index.LocateGtid(TransactionId.MySql(sid, null, 7))!;
        Assert.Equal(("bin.000002", 198L), (seventh.Segment, seventh.Offset));
        var first = index.LocateGtid(TransactionId.MySql(sid, null, 1))!;
        Assert.Equal("bin.000001", first.Segment);
        Assert.Null(index.LocateGtid(TransactionId.MySql(sid, null, 11))); // in the open segment, not sealed yet

        var position = index.LocatePosition("bin.000002", 700)!;
        Assert.Equal(("bin.000002", 198L), (position.Segment, position.Offset)); // sparse: the only point of this small segment
        Assert.Null(index.LocatePosition("bin.000002", 5000));

        var summary = index.Segments.Single(s => s.Segment == "bin.000002");
        Assert.Equal(("bin.000003", 1390L, 1431L), (summary.NextFile, summary.LastPosition, summary.EndPosition));
        Assert.Equal("607c45ad-e907-11f1-8991-02fc00000001:1-6", summary.GtidsBefore);
        Assert.Equal("607c45ad-e907-11f1-8991-02fc00000001:1-10", summary.GtidsAfter);
        Assert.Equal(4, summary.Transactions);
    }

    [Fact]
    public async Task A_time_maps_to_the_first_segment_that_reaches_it()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var index = await ArchiveIndex.LoadAsync(dir.Layout, CancellationToken.None);
        var first = index.Segments[0];
        var location = index.LocateTime(first.FirstTime!.Value)!;
        Assert.Equal("bin.000001", location.Segment);
        Assert.Null(index.LocateTime(index.Segments[^1].LastTime!.Value.AddHours(1)));
    }
}

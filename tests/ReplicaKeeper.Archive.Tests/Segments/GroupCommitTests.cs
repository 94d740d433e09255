using Microsoft.Win32.SafeHandles;
using ReplicaKeeper.Archive.Segments;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Archive.Transactions;
using ReplicaKeeper.Binlog.Reading;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Segments;

/// <summary>
/// The writer's group commit: receiving never waits for an fsync, one fsync covers everything
/// received before it started, and the durable position moves only when an fsync covering it returned.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Durable_position_advances_only_after_the_fsync_covering_it_returns()
    {
        using var dir = new TempDirectory();
        using var disk = new GatedDisk();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions { SyncData = disk.Sync }, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mysql", "bin.000002");
        await writer.AppendAsync(stream[0], CancellationToken.None);
        await writer.AppendAsync(stream[1], CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        var before = writer.Durable!.Offset;

        disk.Close();
        foreach (var ev in stream.Skip(2).Where(e => !IsRotate(e)))
        {
            // returns although the flusher's fsync is stuck: receiving is not held up by the disk
            await writer.AppendAsync(ev, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await disk.WaitUntilBlockedAsync();
        Assert.Equal(before, writer.Durable!.Offset);
        var end = MasterFiles.Bytes("mysql", "bin.000002").Length - MasterFiles.Events("mysql", "bin.000002")[^1].Length;
        Assert.Equal(end, writer.Received.Length);

        disk.Open();
        await writer.FlushAsync(CancellationToken.None);
        Assert.Equal(end, writer.Durable!.Offset);
    }

    [Fact]
    public async Task One_fsync_covers_all_transactions_received_while_the_previous_one_ran()
    {
        using var dir = new TempDirectory();
        using var disk = new GatedDisk();
        var batches = new List<DurableBatch>();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions
        {
            SyncData = disk.Sync,
            TransactionsDurable = batches.Add,
        }, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mariadb", "bin.000001");
        await writer.AppendAsync(stream[0], CancellationToken.None);
        await writer.AppendAsync(stream[1], CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);

        var syncsBefore = disk.Count;
        disk.Close();
        foreach (var ev in stream.Skip(2).Where(e => !IsRotate(e)))
        {
            await writer.AppendAsync(ev, CancellationToken.None);
        }

        await disk.WaitUntilBlockedAsync();
        disk.Open();
        await writer.FlushAsync(CancellationToken.None);

        // the fsync that got stuck (it may already cover everything), then at most one for all that arrived meanwhile
        Assert.InRange(disk.Count - syncsBefore, 1, 2);
        var expected = CompletedTransactions("mariadb", "bin.000001");
        Assert.True(expected.Count >= 5, "the fixture has several transactions");
        var durable = batches.SelectMany(b => b.Transactions).ToList();
        Assert.Equal(expected.Select(t => (t.Id?.ToString(), t.EndOffset)), durable.Select(t => (t.Id?.ToString(), t.EndOffset)));
        Assert.All(batches, b => Assert.All(b.Transactions, t => Assert.True(t.EndOffset <= b.Position.Offset)));
        Assert.Equal(expected[^1].EndOffset, writer.Durable!.Offset);
    }

    [Fact]
    public async Task Group_is_written_with_one_write_and_the_file_is_byte_identical()
    {
        using var dir = new TempDirectory();
        var name = "bin.000002";
        await using (var writer = await SegmentWriter.OpenAsync(dir.Layout, null, CancellationToken.None))
        {
            foreach (var ev in MasterFiles.DumpStream("mariadb", name))
            {
                await writer.AppendAsync(ev, CancellationToken.None);
            }

            await writer.FlushAsync(CancellationToken.None);
            Assert.Equal(MasterFiles.Bytes("mariadb", name), File.ReadAllBytes(dir.Layout.RawSegmentPath(name)));
        }
    }

    [Fact]
    public async Task A_failed_fsync_keeps_the_durable_position_and_stops_the_writer()
    {
        using var dir = new TempDirectory();
        var failing = false;
        var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions
        {
            SyncData = handle =>
            {
                if (Volatile.Read(ref failing))
                {
                    throw new IOException("EIO");
                }
            },
        }, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mysql", "bin.000002");
        await writer.AppendAsync(stream[0], CancellationToken.None);
        await writer.AppendAsync(stream[1], CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        var before = writer.Durable!.Offset;

        Volatile.Write(ref failing, true);
        foreach (var ev in stream.Skip(2).Take(6))
        {
            await writer.AppendAsync(ev, CancellationToken.None);
        }

        await Assert.ThrowsAsync<IOException>(async () => await writer.FlushAsync(CancellationToken.None));
        Assert.Equal(before, writer.Durable!.Offset);
        await Assert.ThrowsAsync<IOException>(async () => await writer.AppendAsync(stream[8], CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(async () => await writer.DisposeAsync());
    }

    [Fact]
    public async Task Receiving_waits_for_the_flusher_when_the_memory_limit_is_reached()
    {
        using var dir = new TempDirectory();
        using var disk = new GatedDisk();
        await using var writer = await SegmentWriter.OpenAsync(dir.Layout, new SegmentWriterOptions { SyncData = disk.Sync, MaxBufferedBytes = 150 }, CancellationToken.None);
        var stream = MasterFiles.DumpStream("mysql", "bin.000002");
        await writer.AppendAsync(stream[0], CancellationToken.None);
        await writer.AppendAsync(stream[1], CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);

        disk.Close();
        await writer.AppendAsync(stream[2], CancellationToken.None); // PREVIOUS_GTIDS: a boundary, its fsync gets stuck
        await disk.WaitUntilBlockedAsync();
        var pending = Task.Run(async () =>
        {
            foreach (var ev in stream.Skip(3).Take(4))
            {
                await writer.AppendAsync(ev, CancellationToken.None);
            }
        });
        await Task.Delay(300);
        Assert.False(pending.IsCompleted, "appends beyond the memory limit must wait for the flusher");
        disk.Open();
        await pending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A ROTATE closes the segment, which waits for its fsync: these tests stay inside one file.</summary>
    private static bool IsRotate(byte[] ev) => ev[4] == 4;

    private static List<CompletedTransaction> CompletedTransactions(string flavor, string name)
    {
        var tracker = new TransactionTracker();
        var result = new List<CompletedTransaction>();
        var offset = 4L;
        foreach (var ev in MasterFiles.Events(flavor, name))
        {
            var header = EventHeader.Read(ev);
            if (tracker.Observe(ev, header, offset) == EventRole.End)
            {
                result.Add(tracker.LastCompleted!);
            }

            offset += ev.Length;
        }

        return result;
    }

    /// <summary>An fsync that can be held (to see what happens while the disk is slow) and counted.</summary>
    private sealed class GatedDisk : IDisposable
    {
        private readonly ManualResetEventSlim _open = new(true);
        private readonly SemaphoreSlim _blocked = new(0);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Close() => _open.Reset();

        public void Open() => _open.Set();

        public void Sync(SafeFileHandle handle)
        {
            Interlocked.Increment(ref _count);
            if (!_open.IsSet)
            {
                _blocked.Release();
                _open.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public Task WaitUntilBlockedAsync() => _blocked.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => Assert.True(t.Result, "the flusher never reached fsync"), TaskScheduler.Default);

        public void Dispose()
        {
            _open.Set();
            _open.Dispose();
            _blocked.Dispose();
        }
    }
}

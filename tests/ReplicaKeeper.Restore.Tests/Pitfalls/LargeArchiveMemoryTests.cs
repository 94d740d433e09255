using System.Text;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Tests.Support;
using ReplicaKeeper.TestServers;
using Xunit;
using Xunit.Abstractions;

namespace ReplicaKeeper.Restore.Tests.Pitfalls;

/// <summary>
/// PITFALLS "Flashback tools (binlog2sql, MyFlash) are slow or OOM on large binlogs": find scans a 50 MB archive
/// of many transactions holding one transaction at a time, so the live heap stays far below the archive's size.
/// </summary>
public sealed class LargeArchiveMemoryTests(MariaDbFixture fixture, ITestOutputHelper output) : IClassFixture<MariaDbFixture>
{
    private const int Transactions = 500;

    private const int RowsPerTransaction = 100;

    [Fact]
    public async Task Find_scans_a_50_MB_archive_with_a_live_heap_far_below_its_size()
    {
        var server = fixture.Server;
        await server.ExecuteAsync("DROP DATABASE IF EXISTS pmem; CREATE DATABASE pmem; CREATE TABLE pmem.t (id INT PRIMARY KEY, k INT, v VARCHAR(1100)); FLUSH BINARY LOGS");
        var firstFile = (await server.BinlogFilesAsync())[^1];
        var sql = new StringBuilder();
        for (var t = 0; t < Transactions; t++)
        {
            var first = t * RowsPerTransaction;
            sql.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"INSERT INTO pmem.t SELECT {first} + seq, IF(seq = 50, 1, 0), REPEAT(CHAR(65 + seq % 26), 1000) FROM pmem.seq_0_to_{RowsPerTransaction - 1};\n");
        }

        await server.ExecuteAsync(sql.ToString());
        await server.ExecuteAsync("FLUSH BINARY LOGS");
        using var archive = new TempDirectory();
        long bytes = 0;
        foreach (var file in (await server.BinlogFilesAsync()).Where(f => string.CompareOrdinal(f, firstFile) >= 0))
        {
            File.Copy(server.BinlogPath(file), Path.Combine(archive.Path, file));
            bytes += new FileInfo(server.BinlogPath(file)).Length;
        }

        Assert.True(bytes > 50_000_000, $"the archive holds only {bytes} bytes");
        var source = await ArchiveSource.OpenAsync(archive.Path, null, default);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var found = 0;
        await foreach (var change in new RowChangeFinder(source).FindAsync(new ChangeQuery("pmem.t", RowFilter.Parse("k=1")), default))
        {
            Assert.Equal("1", change.After!.Single(p => p.Key == "k").Value);
            if (++found % 50 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }
        }

        output.WriteLine($"live heap grew by at most {peak / 1048576.0:F1} MiB while scanning {bytes / 1048576.0:F1} MiB");
        Assert.Equal(Transactions, found);
        Assert.True(peak < bytes / 4, $"live heap grew by {peak / 1048576.0:F1} MiB while scanning {bytes / 1048576.0:F1} MiB");
        await server.ExecuteAsync("DROP DATABASE pmem");
    }
}

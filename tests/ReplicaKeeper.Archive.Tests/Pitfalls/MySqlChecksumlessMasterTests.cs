using ReplicaKeeper.Archive.Live;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Live;
using ReplicaKeeper.Archive.Tests.Support;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Pitfalls;

/// <summary>
/// PITFALLS: "Checksums: the FORMAT_DESCRIPTION event says whether events end with CRC32" on MySQL 9.7 with
/// binlog_checksum=NONE (the MariaDB case is <see cref="SemiSyncChecksumlessMasterTests"/>): the stream, the
/// decoder and the archive all work on events without the 4-byte trailer.
/// </summary>
public sealed class MySqlChecksumlessMasterTests(MySqlChecksumNoneFixture fixture) : IClassFixture<MySqlChecksumNoneFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_MySql_master_without_checksums_is_streamed_archived_byte_identical_and_decoded_row_by_row()
    {
        Assert.Equal("NONE", await Server.ScalarAsync<string>("SELECT @@global.binlog_checksum"));
        using var dir = new TempDirectory();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await Server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        var start = (await Server.BinlogFilesAsync(cts.Token))[^1];
        var run = Task.Run(() => LiveArchiver.RunAsync(new LiveArchiverOptions
        {
            Layout = dir.Layout,
            StartFile = start,
            Replication = new ReplicationOptions
            {
                Connection = ConnectionOptions.Parse(Server.ReplicationConnectionString),
                HeartbeatInterval = TimeSpan.FromSeconds(1),
            },
        }, cts.Token), CancellationToken.None);

        await Server.ExecuteAsync(
            "CREATE DATABASE IF NOT EXISTS pit_nocrc; CREATE TABLE pit_nocrc.t (id INT UNSIGNED PRIMARY KEY, v VARCHAR(20), j JSON); " +
            "INSERT INTO pit_nocrc.t VALUES (4294967295, 'a', '{\"k\": [1, 2]}'), (2, 'b', NULL); UPDATE pit_nocrc.t SET v = 'c' WHERE id = 2; " +
            "DELETE FROM pit_nocrc.t WHERE id = 4294967295; DROP DATABASE pit_nocrc", cts.Token);
        await Server.ExecuteAsync("FLUSH BINARY LOGS", cts.Token);
        await LiveArchiverTests.WaitForSealedAsync(dir.Layout, [start], run, cts.Token);
        await cts.CancelAsync();
        await LiveArchiverTests.IgnoreCancellation(run);

        var (entry, archived) = await LiveArchiverTests.ReadSealedAsync(dir.Layout, start);
        Assert.Equal(File.ReadAllBytes(Server.BinlogPath(start)), archived);
        Assert.Equal(6, entry.Transactions);

        // decode the archived copy with verification on: no event may be taken for checksummed
        using var scanner = new BinlogFrameScanner(new MemoryStream(archived), start);
        using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = true });
        var rows = new List<string>();
        var change = new RowChange();
        FormatDescriptionEvent? fde = null;
        while (scanner.MoveNext())
        {
            switch (decoder.Decode(scanner.Current.Bytes, start, scanner.Current.Position))
            {
                case FormatDescriptionEvent f:
                    fde = f;
                    break;
                case RowsEvent r:
                    var iterator = r.GetRows();
                    while (iterator.Read(change))
                    {
                        var image = change.HasAfter ? change.After : change.Before;
                        rows.Add($"{r.Kind}:{image.GetValue(0)}:{image.GetString(1)}:{(image.IsNull(2) ? "NULL" : image.ToJsonText(2))}");
                    }

                    break;
            }
        }

        Assert.Equal(ChecksumAlgorithm.None, fde?.ChecksumAlgorithm);
        Assert.Equal(ChecksumAlgorithm.None, scanner.Checksum);
        Assert.Equal(BinlogScanEnd.Clean, scanner.End);
        Assert.Equal(
            ["Write:4294967295:a:{\"k\": [1, 2]}", "Write:2:b:NULL", "Update:2:c:NULL", "Delete:4294967295:a:{\"k\": [1, 2]}"],
            rows);
    }
}

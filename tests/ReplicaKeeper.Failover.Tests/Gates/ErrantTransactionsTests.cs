using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Failover.Gates;
using Xunit;
using Row = ReplicaKeeper.Failover.Gates.StandbyBinlogReader.BinlogEventRow;

namespace ReplicaKeeper.Failover.Tests.Gates;

public sealed class ErrantTransactionsTests
{
    private static readonly Guid Standby = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Master = Guid.Parse("22222222-2222-2222-2222-222222222222");

    [Fact]
    public void Groups_mysql_show_binlog_events_into_transactions_and_sees_position_table_writes()
    {
        var rows = new[]
        {
            new Row("bin.000001", 4, "Format_desc", "Server ver: 9.7.4"),
            new Row("bin.000001", 127, "Previous_gtids", ""),
            new Row("bin.000001", 158, "Gtid", $"SET @@SESSION.GTID_NEXT= '{Standby}:1'"),
            new Row("bin.000001", 230, "Query", "BEGIN"),
            new Row("bin.000001", 300, "Table_map", "table_id: 90 (fo.t)"),
            new Row("bin.000001", 350, "Write_rows", "table_id: 90 flags: STMT_END_F"),
            new Row("bin.000001", 400, "Table_map", "table_id: 91 (replicakeeper.applied_position)"),
            new Row("bin.000001", 450, "Write_rows", "table_id: 91 flags: STMT_END_F"),
            new Row("bin.000001", 500, "Xid", "COMMIT /* xid=9 */"),
            new Row("bin.000001", 531, "Gtid", $"SET @@SESSION.GTID_NEXT= '{Master}:7'"),
            new Row("bin.000001", 600, "Query", "use `fo`; ALTER TABLE t ADD c INT"),
        };

        var transactions = StandbyBinlogReader.Group(rows);

        Assert.Equal(2, transactions.Count);
        Assert.True(transactions[0].WritesPositionTables);
        Assert.False(transactions[0].IsDdl);
        Assert.Equal($"{Standby}:1", transactions[0].Gtid);
        Assert.True(transactions[1].IsDdl);
        Assert.Equal($"{Master}:7", transactions[1].Gtid);
    }

    [Fact]
    public void Groups_mariadb_gtid_events_and_reads_their_gtids()
    {
        var rows = new[]
        {
            new Row("bin.000001", 4, "Format_desc", ""),
            new Row("bin.000001", 256, "Gtid_list", "[]"),
            new Row("bin.000001", 285, "Binlog_checkpoint", "bin.000001"),
            new Row("bin.000001", 329, "Gtid", "BEGIN GTID 0-2-1"),
            new Row("bin.000001", 400, "Table_map", "table_id: 33 (fo.t)"),
            new Row("bin.000001", 450, "Write_rows_v1", "table_id: 33 flags: STMT_END_F"),
            new Row("bin.000001", 500, "Xid", "COMMIT /* xid=5 */"),
            new Row("bin.000001", 531, "Gtid", "GTID 0-2-2"),
            new Row("bin.000001", 560, "Query", "use `fo`; CREATE TABLE x (id INT)"),
        };

        var transactions = StandbyBinlogReader.Group(rows);

        Assert.Equal(["0-2-1", "0-2-2"], transactions.Select(t => t.Gtid));
        Assert.False(transactions[0].WritesPositionTables);
        Assert.True(transactions[1].IsDdl);
    }

    [Fact]
    public void Everything_before_the_first_applier_transaction_is_seeding_and_not_errant()
    {
        var transactions = new[]
        {
            Tx("0-2-1", ddl: true),
            Tx("0-2-2"),
            Tx("0-2-3", position: true),
            Tx("0-2-4", position: true),
        };

        Assert.Empty(ErrantTransactions.InBinlog(transactions, _ => false));
    }

    [Fact]
    public void A_direct_write_after_the_applier_started_is_errant()
    {
        var transactions = new[] { Tx("0-2-1", position: true), Tx("0-2-2"), Tx("0-2-3", position: true) };

        var errant = ErrantTransactions.InBinlog(transactions, _ => false);

        Assert.Equal("0-2-2", Assert.Single(errant).Gtid);
    }

    [Fact]
    public void A_ddl_beside_an_applier_transaction_or_with_a_source_gtid_is_the_appliers()
    {
        var transactions = new[]
        {
            Tx("a:1", position: true),
            Tx("a:2", ddl: true),            // MariaDB: DDL right after its marker
            Tx("m:9", ddl: true),            // MySQL: DDL run with the source's GTID
            Tx("a:3", position: true),
            Tx("a:4", ddl: true),            // a DDL on its own, two away from any applier transaction
            Tx("a:5"),
        };

        var errant = ErrantTransactions.InBinlog(transactions, gtid => gtid.StartsWith("m:", StringComparison.Ordinal));

        Assert.Equal(["a:5"], errant.Select(t => t.Gtid));
    }

    [Fact]
    public void Foreign_gtids_are_those_from_neither_the_standby_nor_the_source_history()
    {
        var other = Guid.Parse("33333333-3333-3333-3333-333333333333");
        var executed = GtidSet.Parse($"{Standby}:1-40,{Master}:1-12,{other}:1-2");
        var history = GtidSet.Parse($"{Master}:1-10");

        var foreign = ErrantTransactions.ForeignGtids(executed, Standby, history);

        Assert.Equal(GtidSet.Parse($"{Master}:11-12,{other}:1-2"), foreign);
    }

    private static StandbyBinlogTransaction Tx(string gtid, bool position = false, bool ddl = false) =>
        new("bin.000001", 4, gtid, position, ddl, ddl ? "CREATE TABLE x (id INT)" : null);
}

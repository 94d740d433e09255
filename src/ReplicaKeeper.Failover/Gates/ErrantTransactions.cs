using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Failover.Gates;

/// <summary>
/// Errant transactions: changes on the standby that did not come from the master through the applier. Promoting a
/// standby with such changes makes them part of the new master's history although the old master (and the archive)
/// never had them, and hides whatever they overwrote.
/// </summary>
/// <remarks>
/// The applier writes each source transaction as a standby transaction that also updates
/// <c>replicakeeper.applied_position</c>; its GTID is the standby's own (MySQL DDL keeps the source GTID, MariaDB DDL
/// directly follows a marker transaction on the position table). So, in the standby's binlog, after the first write
/// to the position tables (anything before is seeding and setup), a transaction is the applier's when it writes the
/// position tables, carries a GTID the source has, or is a DDL next to a position-table transaction. Everything else
/// is errant. MySQL additionally: GTIDs in @@gtid_executed from a server that is neither the standby itself nor in the
/// source's history are errant even when the standby's binlogs no longer hold them.
/// </remarks>
public static class ErrantTransactions
{
    /// <summary>Transactions in the standby's binlog that the applier did not write.</summary>
    public static IReadOnlyList<StandbyBinlogTransaction> InBinlog(IReadOnlyList<StandbyBinlogTransaction> transactions, Func<string, bool> isSourceGtid)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(isSourceGtid);
        var first = -1;
        for (var i = 0; i < transactions.Count; i++)
        {
            if (transactions[i].WritesPositionTables)
            {
                first = i;
                break;
            }
        }

        var errant = new List<StandbyBinlogTransaction>();
        if (first < 0)
        {
            return errant;
        }

        for (var i = first + 1; i < transactions.Count; i++)
        {
            var t = transactions[i];
            if (t.WritesPositionTables || (t.Gtid is { } gtid && isSourceGtid(gtid)))
            {
                continue;
            }

            var besideApplier = (i > 0 && transactions[i - 1].WritesPositionTables) || (i + 1 < transactions.Count && transactions[i + 1].WritesPositionTables);
            if (t.IsDdl && besideApplier)
            {
                continue;
            }

            errant.Add(t);
        }

        return errant;
    }

    /// <summary>
    /// MySQL: GTIDs the standby executed that come neither from the standby's own server uuid (the applier's commits)
    /// nor from the source's history (<paramref name="sourceHistory"/>: archived and applied).
    /// </summary>
    public static GtidSet ForeignGtids(GtidSet standbyExecuted, Guid standbyUuid, GtidSet sourceHistory)
    {
        ArgumentNullException.ThrowIfNull(standbyExecuted);
        ArgumentNullException.ThrowIfNull(sourceHistory);
        var result = GtidSet.Empty;
        foreach (var source in standbyExecuted.Except(sourceHistory).Sources)
        {
            if (source.SourceId == standbyUuid)
            {
                continue;
            }

            foreach (var interval in source.Intervals)
            {
                result = result.Add(source.SourceId, source.Tag, interval);
            }
        }

        return result;
    }
}

namespace ReplicaKeeper.Binlog.Events;

/// <summary>An XA transaction id: format id, global transaction id and branch qualifier.</summary>
public sealed record XaXid(int FormatId, byte[] Gtrid, byte[] Bqual)
{
    /// <summary>As XA RECOVER / mysqlbinlog print it: X'gtrid',X'bqual',formatID.</summary>
    public override string ToString() =>
        $"X'{Convert.ToHexString(Gtrid).ToLowerInvariant()}',X'{Convert.ToHexString(Bqual).ToLowerInvariant()}',{FormatId}";
}

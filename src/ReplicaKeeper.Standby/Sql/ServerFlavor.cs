namespace ReplicaKeeper.Standby.Sql;

/// <summary>Which server family a connection talks to (they differ in GTIDs, status variables and SQL).</summary>
public enum ServerFlavor
{
    MySql,
    MariaDb,
}

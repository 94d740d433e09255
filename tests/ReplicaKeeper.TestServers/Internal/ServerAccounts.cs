namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// The accounts every instance has (created in the template, before binary logging exists, so they never
/// appear in a binlog). Host '%' because MariaDB runs with --skip-name-resolve and clients come over 127.0.0.1
/// (for MySQL '%' also covers the unix socket). root@localhost has an empty password (socket clients only).
/// </summary>
internal static class ServerAccounts
{
    public const string AdminUser = "rk_admin";
    public const string AdminPassword = "rk-admin-secret";
    public const string ReplicationUser = "rk_repl";
    public const string ReplicationPassword = "rk-repl-secret";

    public static string CreateUsersSql { get; } = $"""
        CREATE USER '{AdminUser}'@'%' IDENTIFIED BY '{AdminPassword}';
        GRANT ALL PRIVILEGES ON *.* TO '{AdminUser}'@'%' WITH GRANT OPTION;
        CREATE USER '{ReplicationUser}'@'%' IDENTIFIED BY '{ReplicationPassword}';
        GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{ReplicationUser}'@'%';

        """;
}

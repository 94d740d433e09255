namespace ReplicaKeeper.TestServers;

/// <summary>Which server a <see cref="TestServer"/> runs.</summary>
public enum ServerFlavor
{
    /// <summary>MariaDB 10.11 from the Debian package (<c>mariadbd</c> on the host).</summary>
    MariaDb,

    /// <summary>MySQL 9.7 from Debian sid, run inside the chroot built by scripts/install-servers.sh.</summary>
    MySql,
}

using System.Globalization;
using ReplicaKeeper.Protocol.Handshake;
using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol;

/// <summary>What the server announced in its handshake.</summary>
/// <param name="VersionString">Version as announced, without MariaDB's "5.5.5-" replication prefix (e.g. "10.11.6-MariaDB-0+deb12u1", "9.7.4").</param>
/// <param name="Version">Numeric major.minor.patch parsed from <paramref name="VersionString"/>.</param>
/// <param name="IsMariaDb">"MariaDB" in the version, or the server cleared CLIENT_MYSQL (MariaDB 10.2+ always does).</param>
/// <param name="ConnectionId">The server thread id of this connection (what KILL takes).</param>
/// <param name="Capabilities">Server capabilities, MariaDB extended capabilities in the high 32 bits.</param>
/// <param name="CharacterSet">Server default collation id.</param>
/// <param name="Status">Server status flags at handshake time.</param>
/// <param name="DefaultAuthPlugin">Authentication plugin the server proposed first, if it announced one.</param>
public sealed record ServerInfo(
    string VersionString,
    Version Version,
    bool IsMariaDb,
    uint ConnectionId,
    CapabilityFlags Capabilities,
    byte CharacterSet,
    ServerStatusFlags Status,
    string? DefaultAuthPlugin)
{
    internal static ServerInfo From(InitialHandshake handshake)
    {
        bool isMariaDb = handshake.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase)
            || (handshake.Capabilities & CapabilityFlags.LongPassword) == 0;
        return new ServerInfo(
            handshake.ServerVersion,
            ParseVersion(handshake.ServerVersion),
            isMariaDb,
            handshake.ConnectionId,
            handshake.Capabilities,
            handshake.CharacterSet,
            handshake.Status,
            handshake.AuthPluginName);
    }

    /// <summary>Leading "major.minor.patch" digits of a version string; missing parts are 0.</summary>
    internal static Version ParseVersion(string versionString)
    {
        Span<int> parts = stackalloc int[3];
        int part = 0;
        int value = 0;
        bool any = false;
        foreach (char c in versionString)
        {
            if (char.IsAsciiDigit(c) && value < 100_000_000)
            {
                value = (value * 10) + (c - '0');
                any = true;
            }
            else if (c == '.' && any && part < 2)
            {
                parts[part++] = value;
                value = 0;
                any = false;
            }
            else
            {
                break;
            }
        }

        if (any)
        {
            parts[part] = value;
        }

        return new Version(parts[0], parts[1], parts[2]);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(IsMariaDb ? "MariaDB" : "MySQL")} {VersionString} (connection {ConnectionId})");
}

using System.Globalization;
using MySqlConnector;

namespace ReplicaKeeper.Restore.Drill;

/// <summary>What tells two server instances apart (so a drill never wipes the standby it compares with).</summary>
internal sealed record ServerIdentity(string ServerId, string Port, string DataDirectory, string Hostname, string Version)
{
    public static async Task<ServerIdentity> ReadAsync(MySqlConnection connection, CancellationToken ct)
    {
        await using var command = new MySqlCommand("SELECT @@server_id, @@port, @@datadir, @@hostname, VERSION()", connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        string Text(int i) => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
        return new ServerIdentity(Text(0), Text(1), Text(2), Text(3), Text(4));
    }

    public bool SameInstanceAs(ServerIdentity other) =>
        ServerId == other.ServerId && Port == other.Port && DataDirectory == other.DataDirectory && Hostname == other.Hostname;

    public override string ToString() => $"server_id {ServerId}, port {Port}, datadir {DataDirectory}";
}

using MySqlConnector;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Replication.Tests.SemiSync;

/// <summary>Turns semi-sync on and off on a test master and reads its counters (MariaDB built-in, MySQL semisync_source plugin).</summary>
internal sealed class SemiSyncMaster(TestServer server)
{
    private bool IsMariaDb => server.Flavor == ServerFlavor.MariaDb;

    private string Prefix => IsMariaDb ? "rpl_semi_sync_master" : "rpl_semi_sync_source";

    /// <summary>Semi-sync on, with commits waiting up to <paramref name="timeout"/> for an ACK.</summary>
    public async Task EnableAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (!IsMariaDb && !await PluginInstalledAsync(ct))
        {
            await server.ExecuteAsync("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", ct);
        }

        await server.ExecuteAsync($"SET GLOBAL {Prefix}_timeout = {(long)timeout.TotalMilliseconds}; SET GLOBAL {Prefix}_enabled = ON", ct);
    }

    /// <summary>
    /// Semi-sync off: MariaDB keeps sending headers (never flagged) to a replica that asks; MySQL without the plugin sends none.
    /// The short timeout first lets a commit that still waits give up at once.
    /// </summary>
    public async Task DisableAsync(CancellationToken ct)
    {
        if (IsMariaDb)
        {
            await server.ExecuteAsync($"SET GLOBAL {Prefix}_timeout = 100; SET GLOBAL {Prefix}_enabled = OFF", ct);
        }
        else if (await PluginInstalledAsync(ct))
        {
            await server.ExecuteAsync($"SET GLOBAL {Prefix}_timeout = 100; SET GLOBAL {Prefix}_enabled = OFF", ct);
            await server.ExecuteAsync("UNINSTALL PLUGIN rpl_semi_sync_source", ct);
        }
    }

    /// <summary>Commits acknowledged by a semi-sync replica in time (Rpl_semi_sync_master_yes_tx / Rpl_semi_sync_source_yes_tx).</summary>
    public Task<long> YesTransactionsAsync(CancellationToken ct) => StatusAsync("yes_tx", ct);

    /// <summary>Commits that gave up waiting (no_tx).</summary>
    public Task<long> NoTransactionsAsync(CancellationToken ct) => StatusAsync("no_tx", ct);

    /// <summary>Connected semi-sync replicas (clients).</summary>
    public Task<long> ClientsAsync(CancellationToken ct) => StatusAsync("clients", ct);

    /// <summary>Waits until <paramref name="count"/> semi-sync replicas are connected.</summary>
    public async Task WaitForClientsAsync(long count, CancellationToken ct)
    {
        while (await ClientsAsync(ct) != count)
        {
            await Task.Delay(20, ct);
        }
    }

    private async Task<long> StatusAsync(string name, CancellationToken ct)
    {
        await using var connection = await server.OpenAdminConnectionAsync(ct);
        await using var command = new MySqlCommand($"SHOW GLOBAL STATUS LIKE '{Prefix}_{name}'", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? long.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    private async Task<bool> PluginInstalledAsync(CancellationToken ct) =>
        await server.ScalarAsync<long>("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'rpl_semi_sync_source' AND PLUGIN_STATUS = 'ACTIVE'", ct) > 0;
}

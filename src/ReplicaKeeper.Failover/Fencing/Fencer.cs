using System.Diagnostics;
using MySqlConnector;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Failover.Fencing;

/// <summary>
/// Keeps the old master from taking writes once the standby is promoted (split brain): read-only over SQL when it is
/// reachable, else an operator-supplied command (block its port, power it off, move a virtual IP).
/// </summary>
public static class Fencer
{
    /// <summary>
    /// Sets the master read-only (MySQL: super_read_only, which also blocks SUPER users; MariaDB: read_only) and checks
    /// it took; optionally kills its client connections so open sessions cannot keep writing.
    /// </summary>
    public static async Task<FenceResult> SetReadOnlyAsync(string masterConnectionString, bool killConnections, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (connection, flavor) = await StandbyConnections.OpenAsync(masterConnectionString, ct).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (flavor == ServerFlavor.MySql)
            {
                await connection.ExecuteAsync("SET GLOBAL super_read_only = ON", ct).ConfigureAwait(false);
            }
            else
            {
                await connection.ExecuteAsync("SET GLOBAL read_only = ON", ct).ConfigureAwait(false);
            }

            var readOnly = await connection.ScalarTextAsync("SELECT @@GLOBAL.read_only", ct).ConfigureAwait(false) == "1";
            var detail = flavor == ServerFlavor.MySql ? "SET GLOBAL super_read_only = ON" : "SET GLOBAL read_only = ON";
            if (killConnections)
            {
                var killed = await KillClientConnectionsAsync(connection, ct).ConfigureAwait(false);
                detail += $"; killed {killed} client connection(s)";
            }

            return new FenceResult(FenceMethod.ReadOnly, readOnly, readOnly ? detail : detail + " but @@read_only is still 0", clock.Elapsed);
        }
    }

    private static async Task<int> KillClientConnectionsAsync(MySqlConnection connection, CancellationToken ct)
    {
        var ids = new List<ulong>();
        await using (var command = new MySqlCommand(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon') AND USER NOT IN ('system user', 'event_scheduler')",
            connection))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ids.Add(Convert.ToUInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var killed = 0;
        foreach (var id in ids)
        {
            try
            {
                await connection.ExecuteAsync($"KILL CONNECTION {id}", ct).ConfigureAwait(false);
                killed++;
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchThread)
            {
                // gone already
            }
        }

        return killed;
    }

    /// <summary>
    /// Runs the fence command with <c>/bin/sh -c</c>; the master's host and port are passed as RK_MASTER_HOST and
    /// RK_MASTER_PORT. Exit code 0 counts as fenced.
    /// </summary>
    public static async Task<FenceResult> RunCommandAsync(string command, string masterConnectionString, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        var clock = Stopwatch.StartNew();
        var master = new MySqlConnectionStringBuilder(masterConnectionString);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["RK_MASTER_HOST"] = master.Server;
        start.Environment["RK_MASTER_PORT"] = master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return new FenceResult(FenceMethod.Command, false, $"fence command timed out after {timeout.TotalSeconds:0} s: {command}", clock.Elapsed);
        }

        var output = ((await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false))).Trim();
        var detail = $"fence command exited {process.ExitCode}: {command}{(output.Length == 0 ? "" : " -> " + (output.Length > 500 ? output[..500] : output))}";
        return new FenceResult(FenceMethod.Command, process.ExitCode == 0, detail, clock.Elapsed);
    }
}

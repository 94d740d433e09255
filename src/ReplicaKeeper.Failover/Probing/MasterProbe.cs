using System.Diagnostics;
using MySqlConnector;

namespace ReplicaKeeper.Failover.Probing;

/// <summary>One probe of the master: TCP connect, login and <c>SELECT 1</c>, all within a short timeout.</summary>
public sealed record ProbeResult(bool Alive, TimeSpan Elapsed, string Detail);

/// <summary>Probes the master; "down" means N consecutive failed probes, never one.</summary>
public static class MasterProbe
{
    public static async Task<ProbeResult> ProbeOnceAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var builder = new MySqlConnectionStringBuilder(connectionString)
        {
            ConnectionTimeout = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)),
            DefaultCommandTimeout = (uint)Math.Max(1, Math.Ceiling(timeout.TotalSeconds)),
            Pooling = false,
        };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await using var connection = new MySqlConnection(builder.ConnectionString);
            await connection.OpenAsync(limit.Token).ConfigureAwait(false);
            await using var command = new MySqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(limit.Token).ConfigureAwait(false);
            return new ProbeResult(true, clock.Elapsed, "answered SELECT 1");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProbeResult(false, clock.Elapsed, $"no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (MySqlException e)
        {
            return new ProbeResult(false, clock.Elapsed, $"error {(int)e.ErrorCode}: {e.Message}");
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException)
        {
            return new ProbeResult(false, clock.Elapsed, e.Message);
        }
    }

    /// <summary>
    /// Probes up to <paramref name="probes"/> times, <paramref name="interval"/> apart; stops at the first success.
    /// Returns every probe made (the master is down when all of them failed).
    /// </summary>
    public static async Task<IReadOnlyList<ProbeResult>> ProbeAsync(string connectionString, int probes, TimeSpan interval, TimeSpan timeout, CancellationToken ct)
    {
        var results = new List<ProbeResult>(probes);
        for (var i = 0; i < probes; i++)
        {
            if (i > 0 && interval > TimeSpan.Zero)
            {
                await Task.Delay(interval, ct).ConfigureAwait(false);
            }

            var result = await ProbeOnceAsync(connectionString, timeout, ct).ConfigureAwait(false);
            results.Add(result);
            if (result.Alive)
            {
                break;
            }
        }

        return results;
    }
}

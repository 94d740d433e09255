using System.Globalization;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Benchmarks.Lag;

/// <summary>Command line of the archive lag measurement: <c>--archive-lag [--flavor mariadb|mysql|both] [--seconds N] [--rate TX_PER_S] [--connections N] [--durable-master]</c>.</summary>
public sealed record LagOptions
{
    public IReadOnlyList<ServerFlavor> Flavors { get; init; } = [ServerFlavor.MariaDb, ServerFlavor.MySql];

    /// <summary>How long the workload runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Target commits per second over all connections (0: as fast as the connections go).</summary>
    public int Rate { get; init; } = 2500;

    public int Connections { get; init; } = 16;

    /// <summary>Leave the master at sync_binlog=1 / innodb_flush_log_at_trx_commit=1 (default: 0 / 2, so the master is not the bottleneck).</summary>
    public bool DurableMaster { get; init; }

    public static LagOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LagOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--flavor" => options with
                {
                    Flavors = Value() switch
                    {
                        "mariadb" => [ServerFlavor.MariaDb],
                        "mysql" => [ServerFlavor.MySql],
                        "both" => [ServerFlavor.MariaDb, ServerFlavor.MySql],
                        var other => throw new ArgumentException($"--flavor {other}: use mariadb, mysql or both"),
                    },
                },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--rate" => options with { Rate = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--connections" => options with { Connections = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--durable-master" => options with { DurableMaster = true },
                var other => throw new ArgumentException($"unknown option {other}"),
            };
        }

        if (options.Connections < 1 || options.Rate < 0 || options.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException("--connections must be >= 1, --rate >= 0, --seconds > 0");
        }

        return options;
    }
}

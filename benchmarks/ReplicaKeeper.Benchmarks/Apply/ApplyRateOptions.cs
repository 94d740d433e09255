using System.Globalization;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Benchmarks.Apply;

/// <summary>Command line of the apply-rate measurement (see benchmarks/apply-rate.sh).</summary>
public sealed record ApplyRateOptions
{
    public IReadOnlyList<ServerFlavor> Flavors { get; init; } = [ServerFlavor.MariaDb];

    /// <summary>Row changes in the workload (about 5 per transaction).</summary>
    public int Rows { get; init; } = 200_000;

    /// <summary>Connections that write the workload on the master.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Group commit sizes of our applier to measure (1 = a commit per source transaction, like the native replica).</summary>
    public IReadOnlyList<int> GroupSizes { get; init; } = [1, 100];

    /// <summary>How our applier sends statements: true = batched (a group's statements per round trip), false = one prepared statement per round trip.</summary>
    public IReadOnlyList<bool> Batched { get; init; } = [true];

    public static ApplyRateOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ApplyRateOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--flavor" => options with
                {
                    Flavors = value switch
                    {
                        "mariadb" => [ServerFlavor.MariaDb],
                        "mysql" => [ServerFlavor.MySql],
                        "both" => [ServerFlavor.MariaDb, ServerFlavor.MySql],
                        _ => throw new ArgumentException($"--flavor {value}: expected mariadb, mysql or both."),
                    },
                },
                "--rows" => options with { Rows = Positive(args[i], value) },
                "--connections" => options with { Connections = Positive(args[i], value) },
                "--group" => options with { GroupSizes = value.Split(',').Select(v => Positive(args[i], v)).ToList() },
                "--statements" => options with
                {
                    Batched = value.Split(',').Select(v => v switch
                    {
                        "batched" => true,
                        "prepared" => false,
                        _ => throw new ArgumentException($"--statements {v}: expected batched or prepared."),
                    }).ToList(),
                },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Usage: --flavor mariadb|mysql|both --rows N --connections N --group 1,100 --statements batched,prepared"),
            };
            i++;
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} {value}: expected a positive integer.");
}

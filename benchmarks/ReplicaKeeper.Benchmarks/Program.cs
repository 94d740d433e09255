using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ReplicaKeeper.Benchmarks;

public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--archive-lag") { Environment.ExitCode = await Lag.ArchiveLagRunner.RunAsync(args[1..]); return; }
        if (args.Length > 0 && args[0] == "--apply-rate") { Environment.ExitCode = await Apply.ApplyRateRunner.RunAsync(args[1..]); return; }
        if (args.Length > 0 && args[0] == "--cpu-time")
        {
            CpuTimeRunner.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3);
            return;
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        foreach (var summary in summaries)
        {
            PrintThroughput(summary);
        }
    }

    /// <summary>MB/s and allocated bytes per binlog byte for the decode benchmarks (one op = one pass over the file).</summary>
    private static void PrintThroughput(Summary summary)
    {
        if (!summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(BinlogDecodeBenchmarks)))
        {
            return;
        }

        var size = BinlogDecodeBenchmarks.FileLength;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reference binlog: {ReferenceBinlog.Path}, {size:N0} bytes"));
        Console.WriteLine("| Method | Mean (ms) | MB/s | Allocated bytes / binlog byte |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var report in summary.Reports)
        {
            var mean = report.ResultStatistics?.Mean;
            if (mean is not { } ns)
            {
                continue;
            }

            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            var mbps = size / (ns / 1e9) / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} | {ns / 1e6:F1} | {mbps:F0} | {(double)allocated / size:F4} |"));
        }
    }
}

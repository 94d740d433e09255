using System.Diagnostics;
using System.Globalization;

namespace ReplicaKeeper.Benchmarks;

/// <summary>
/// `--cpu-time [passes]`: runs each decode method a few times and reports process CPU time per pass
/// (user + system, all threads) and allocated bytes, next to wall time. On a shared, loaded machine
/// CPU time is the figure that says what one core does; BenchmarkDotNet reports wall time.
/// </summary>
internal static class CpuTimeRunner
{
    public static void Run(int passes)
    {
        var bench = new BinlogDecodeBenchmarks();
        bench.Setup();
        var size = BinlogDecodeBenchmarks.FileLength;
        var methods = new (string Name, Func<long> Run)[]
        {
            (nameof(bench.FrameScanAndCrc), bench.FrameScanAndCrc),
            (nameof(bench.DecodeEveryValue), bench.DecodeEveryValue),
            (nameof(bench.DecodeAndFormatEveryValue), bench.DecodeAndFormatEveryValue),
            (nameof(bench.DecodeToJsonRows), bench.DecodeToJsonRows),
            (nameof(bench.DecodeBoxedObjects), bench.DecodeBoxedObjects),
            (nameof(bench.FileReaderDecodeEveryValue), bench.FileReaderDecodeEveryValue),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reference binlog: {ReferenceBinlog.Path}, {size:N0} bytes, {passes} pass(es) after 1 warmup"));
        Console.WriteLine("| Method | CPU ms/pass (best) | MB/s per core | wall ms/pass (best) | Allocated bytes / binlog byte |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var process = Process.GetCurrentProcess();
        foreach (var (name, run) in methods)
        {
            run();
            double bestCpu = double.MaxValue, bestWall = double.MaxValue;
            long allocated = 0;
            for (var i = 0; i < passes; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
                var wall = Stopwatch.StartNew();
                run();
                wall.Stop();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalMilliseconds);
                bestWall = Math.Min(bestWall, wall.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {bestCpu:F0} | {size / (bestCpu / 1000) / 1e6:F0} | {bestWall:F0} | {(double)allocated / size:F4} |"));
        }
    }
}

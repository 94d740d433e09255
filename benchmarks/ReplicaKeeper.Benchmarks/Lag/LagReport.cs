using System.Diagnostics;
using System.Globalization;

namespace ReplicaKeeper.Benchmarks.Lag;

/// <summary>Commit-to-fsync lags of one run and their percentiles.</summary>
public sealed record LagReport(string Flavor, int Committed, TimeSpan Elapsed, int TargetRate, double[] LagsMs, int Missing)
{
    public static LagReport Build(string flavor, int committed, TimeSpan elapsed, int targetRate,
        IReadOnlyDictionary<string, long> commits, IReadOnlyDictionary<string, long> durable)
    {
        var lags = new List<double>(commits.Count);
        var missing = 0;
        foreach (var (gtid, committedAt) in commits)
        {
            if (durable.TryGetValue(gtid, out var durableAt))
            {
                lags.Add(Stopwatch.GetElapsedTime(committedAt, durableAt).TotalMilliseconds);
            }
            else
            {
                missing++;
            }
        }

        var sorted = lags.ToArray();
        Array.Sort(sorted);
        return new LagReport(flavor, committed, elapsed, targetRate, sorted, missing);
    }

    public double Rate => Committed / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentile (q in 0..1) in milliseconds.</summary>
    public double Percentile(double q) =>
        LagsMs.Length == 0 ? double.NaN : LagsMs[Math.Clamp((int)Math.Ceiling(q * LagsMs.Length) - 1, 0, LagsMs.Length - 1)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"""
        {Flavor}: {Committed} transactions in {Elapsed.TotalSeconds:0.0} s = {Rate:0} tx/s (target {(TargetRate == 0 ? "max" : TargetRate.ToString(CultureInfo.InvariantCulture))}); measured {LagsMs.Length}, not durable {Missing}
        {Flavor}: commit -> fsync lag ms: p50 {Percentile(0.50):0.0}  p95 {Percentile(0.95):0.0}  p99 {Percentile(0.99):0.0}  max {Percentile(1):0.0}  (goal p99 < 100)
        """);
}

namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// One kind of canary: its error rate and how much slower than stable it answers. Stable fails 0.5%
/// of requests and answers with a log-normal latency, median 60 ms and p99 180 ms.
/// </summary>
/// <remarks>
/// <see cref="Tolerated"/>: worse than stable, but by less than the policies' tolerance: it should not be
/// rolled back. <see cref="Load"/>: the traffic both versions share, steady at 100 requests a second unless said.
/// </remarks>
internal sealed record Scenario(string Name, double CanaryErrorRate, double CanaryLatencyFactor, bool Tolerated = false, Load Load = Load.Steady)
{
    public const double StableErrorRate = 0.005;
    public const double MedianMs = 60;
    public const double P99Ms = 180;

    /// <summary>The log-normal's sigma: p99 = median · e^(2.326 σ).</summary>
    public static double Sigma { get; } = Math.Log(P99Ms / MedianMs) / 2.3263;

    public bool Healthy => CanaryErrorRate <= StableErrorRate && CanaryLatencyFactor <= 1;

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("healthy", StableErrorRate, 1),
        new("errors +0.5 points", StableErrorRate + 0.005, 1),
        new("errors +1 point", StableErrorRate + 0.01, 1),
        new("errors +2 points", StableErrorRate + 0.02, 1),
        new("latency +3%", StableErrorRate, 1.03, Tolerated: true),
        new("latency +10%", StableErrorRate, 1.10),
        new("latency +25%", StableErrorRate, 1.25),
        new("healthy, load doubling", StableErrorRate, 1, Load: Load.Doubling),
        new("healthy, 10 requests/s", StableErrorRate, 1, Load: Load.Low),
    ];
}

/// <summary>The requests a trial offers, per second: steady, doubling over the run, or a tenth.</summary>
internal enum Load
{
    /// <summary>100 requests a second.</summary>
    Steady,

    /// <summary>From 100 to 200 requests a second over the run, evenly.</summary>
    Doubling,

    /// <summary>10 requests a second.</summary>
    Low,
}

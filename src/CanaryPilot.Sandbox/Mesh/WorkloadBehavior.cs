namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// How a simulated workload answers: the share of requests that fail with 5xx, and a log-normal
/// latency with the given median and 99th percentile.
/// </summary>
public sealed record WorkloadBehavior
{
    /// <summary>Share (0–1) of requests answered 503.</summary>
    public double ErrorRate { get; init; }

    public double LatencyMedianMs { get; init; } = 20;

    public double LatencyP99Ms { get; init; } = 60;

    public static WorkloadBehavior Healthy { get; } = new();

    /// <summary>Samples one request: its response code and duration in milliseconds.</summary>
    public (int Code, double DurationMs) Sample(Random random)
    {
        // A log-normal: ln(d) ~ N(ln(median), sigma), with sigma set so that the 99th percentile (z = 2.326) is p99.
        var sigma = Math.Log(Math.Max(LatencyP99Ms, LatencyMedianMs) / LatencyMedianMs) / 2.326;
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var duration = LatencyMedianMs * Math.Exp(sigma * z);
        return (random.NextDouble() < ErrorRate ? 503 : 200, duration);
    }
}

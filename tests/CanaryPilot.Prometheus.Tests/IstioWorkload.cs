namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// A simulated workload behind an Istio sidecar: steady requests per second, a share of each response
/// code, and a latency distribution given as the cumulative share of requests at or under each bucket
/// bound (the last bound, +Inf, is always 1).
/// </summary>
public sealed record IstioWorkload(
    string Namespace,
    string Name,
    string Version,
    double RequestsPerSecond,
    IReadOnlyDictionary<string, double> ResponseCodes,
    IReadOnlyList<double> CumulativeLatency)
{
    /// <summary>The histogram bucket bounds in milliseconds, as Istio's default buckets would be cut for these tests.</summary>
    public static IReadOnlyList<double> Buckets { get; } = [10, 25, 50, 100, 250, 500, 1000];

    public string Service => $"reviews.{Namespace}.svc.cluster.local";
}

namespace CanaryPilot.Core.Plans;

public sealed record PrometheusSpec
{
    /// <summary>Base URL of the Prometheus HTTP API, or of a compatible server.</summary>
    public string? Address { get; init; }

    /// <summary>
    /// The scrape interval of the Istio metrics; 15s unless said otherwise. A rate() needs two samples in
    /// its window, so every metric window must be at least twice this.
    /// </summary>
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(15);
}

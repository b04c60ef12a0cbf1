namespace CanaryPilot.Core.Plans;

/// <summary>The Prometheus HTTP API (or a compatible server: Thanos, Mimir, VictoriaMetrics) the metrics are read from.</summary>
public sealed record PrometheusSpec
{
    /// <summary>Base URL of the Prometheus HTTP API, or of a compatible server.</summary>
    public string? Address { get; init; }

    /// <summary>
    /// The scrape interval of the Istio metrics; 15s unless said otherwise. A rate() needs two samples in
    /// its window, so every metric window must be at least twice this.
    /// </summary>
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one attempt of a query may take before it is abandoned and retried; 10s unless said otherwise.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Sent as <c>Authorization: Bearer …</c>. Not together with <see cref="BasicAuth"/>.</summary>
    public SecretSource? BearerToken { get; init; }

    /// <summary>HTTP basic authentication. Not together with <see cref="BearerToken"/>.</summary>
    public BasicAuthSpec? BasicAuth { get; init; }

    /// <summary>Extra headers on every request, such as <c>X-Scope-OrgID</c> for a multi-tenant Mimir or Thanos.</summary>
    public IReadOnlyList<HeaderSpec> Headers { get; init; } = [];

    /// <summary>How the server's certificate is checked for an <c>https</c> address, and the client certificate, if any.</summary>
    public TlsSpec? Tls { get; init; }
}

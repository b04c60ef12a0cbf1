namespace CanaryPilot.Sandbox.Prometheus;

/// <summary>What the sandbox's Prometheus scrapes, how often, and which binary runs it.</summary>
public sealed record PrometheusServerOptions
{
    /// <summary>The <c>/metrics</c> endpoints to scrape, such as <c>http://127.0.0.1:5123/metrics</c>.</summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [];

    /// <summary>How often every target is scraped (also the rule evaluation interval).</summary>
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The <c>prometheus</c> executable: a name looked up on PATH, or a path.</summary>
    public string Binary { get; init; } = "prometheus";

    /// <summary>
    /// Samples to store before the server starts — past data, for replaying a range — written into the TSDB
    /// with <c>promtool tsdb create-blocks-from openmetrics</c>. The server keeps one day: older samples are dropped.
    /// </summary>
    public PrometheusHistory? History { get; init; }

    /// <summary>The <c>promtool</c> executable, which writes <see cref="History"/>: a name looked up on PATH, or a path.</summary>
    public string Promtool { get; init; } = "promtool";

    /// <summary>How long the server may take to answer <c>/-/ready</c>.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

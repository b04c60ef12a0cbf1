namespace CanaryPilot.Core.Plans;

public sealed record AnalysisSpec
{
    /// <summary>How often the metrics are checked; 1m unless said otherwise.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The whole rollout must finish within this time or it rolls back. None when unset.</summary>
    public TimeSpan? ProgressDeadline { get; init; }

    /// <summary>Failed checks tolerated; one more rolls back. 0 rolls back on the first failure.</summary>
    public int FailureLimit { get; init; } = 2;

    /// <summary>Whether <see cref="FailureLimit"/> counts consecutive failures (a pass resets) or all of them.</summary>
    public FailureCounting FailureCounting { get; init; } = FailureCounting.Consecutive;

    /// <summary>
    /// How far (in percentage points) the canary's share of the requests may be from the weight in force before a check
    /// says the traffic does not follow the weights (a GitOps tool rewrote the route, clients skip the waypoint, sessions
    /// stick), and is inconclusive; 10 unless said otherwise, 0 to turn the check off. Checked at canary and blue/green
    /// stages once at least 100 requests (and the minimum-traffic volume) were served, with the volume template for both versions.
    /// </summary>
    public double TrafficShareTolerance { get; init; } = 10;

    /// <summary>When there is too little data to judge, and how long that may last.</summary>
    public MissingDataPolicy MissingData { get; init; } = new();

    /// <summary>The Prometheus server queried.</summary>
    public PrometheusSpec Prometheus { get; init; } = new();

    /// <summary>How metrics that compare with stable are judged unless a metric says otherwise: <c>threshold</c> or <c>sequential</c>.</summary>
    public Judge Judge { get; init; } = Judge.Threshold;

    /// <summary>
    /// The sequential judge's confidence over the whole rollout: a healthy canary is rolled back, and a worse
    /// one passed, with probability at most 1 − confidence each, however often it is looked at.
    /// </summary>
    public double Confidence { get; init; } = DefaultConfidence;

    public const double DefaultConfidence = 0.99;

    /// <summary>The metrics that must hold. At least one: CanaryPilot never promotes without evidence.</summary>
    public required IReadOnlyList<MetricSpec> Metrics { get; init; }
}

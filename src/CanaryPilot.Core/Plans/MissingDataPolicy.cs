namespace CanaryPilot.Core.Plans;

/// <summary>
/// Missing data — no traffic, an empty result, NaN, Prometheus down — is inconclusive, never a pass.
/// Inconclusive checks hold the stage where it is.
/// </summary>
public sealed record MissingDataPolicy
{
    /// <summary>
    /// Requests the canary must have served in a metric's window before any metric is judged
    /// (measured with the <c>istio-request-volume</c> template). 0 turns the rule off.
    /// </summary>
    public int MinRequestVolume { get; init; } = 20;

    /// <summary>How long checks may stay inconclusive before the rollout fails; 5m unless said otherwise.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(5);
}

namespace CanaryPilot.Core.Plans;

/// <summary>How far the canary's value may move from the stable's, measured over the same window.</summary>
public sealed record StableComparison
{
    /// <summary>Largest allowed rise of the canary above stable (latency, error rate).</summary>
    public double? MaxIncrease { get; init; }

    /// <summary>Largest allowed fall of the canary below stable (success rate, throughput).</summary>
    public double? MaxDecrease { get; init; }

    /// <summary>
    /// For the sequential judge: a stage passes once the canary is shown within this of stable (same mode
    /// and unit as the limits); the limit itself unless set. The limit is where it rolls back; a wider
    /// margin for passing lets a healthy canary pass on less evidence, a narrower one asks for more.
    /// </summary>
    public double? PromoteWithin { get; init; }

    /// <summary><c>relative</c>: the limits are percentages of the stable value; <c>absolute</c>: in the metric's unit.</summary>
    public ComparisonMode Mode { get; init; } = ComparisonMode.Relative;
}

public enum ComparisonMode
{
    Relative,
    Absolute,
}

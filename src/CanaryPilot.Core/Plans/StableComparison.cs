namespace CanaryPilot.Core.Plans;

/// <summary>How far the canary's value may move from the stable's, measured over the same window.</summary>
public sealed record StableComparison
{
    /// <summary>Largest allowed rise of the canary above stable (latency, error rate).</summary>
    public double? MaxIncrease { get; init; }

    /// <summary>Largest allowed fall of the canary below stable (success rate, throughput).</summary>
    public double? MaxDecrease { get; init; }

    /// <summary><c>relative</c>: the limits are percentages of the stable value; <c>absolute</c>: in the metric's unit.</summary>
    public ComparisonMode Mode { get; init; } = ComparisonMode.Relative;
}

public enum ComparisonMode
{
    Relative,
    Absolute,
}

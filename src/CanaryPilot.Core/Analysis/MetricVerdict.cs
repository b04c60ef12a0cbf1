using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// The judgement of one metric with the evidence behind it — the queries, the values and the rules —
/// for status, logs, notifications and <c>canarypilot analyze</c>.
/// </summary>
public sealed record MetricVerdict
{
    public required MetricSpec Metric { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>Why, in one sentence with the numbers.</summary>
    public required string Reason { get; init; }

    /// <summary>The value is outside the metric's critical range: roll back at once, whatever the failure limit.</summary>
    public bool CriticalBreached { get; init; }

    /// <summary>The canary's value, when there was exactly one finite value.</summary>
    public double? Value { get; init; }

    /// <summary>The stable's value, when the metric compares with it and it was measured.</summary>
    public double? StableValue { get; init; }

    /// <summary>The canary's requests in the window, when the minimum-traffic rule is on and it was measured.</summary>
    public double? RequestCount { get; init; }

    public required MetricMeasurements Measurements { get; init; }

    /// <summary>What a sequential verdict rests on: the ratio, its bounds, the e-value and the counts.</summary>
    public Statistics.SequentialJudge.Evidence? Evidence { get; init; }

    /// <summary>
    /// The sequential judge weighed counts of both versions from the current stage and could not decide
    /// either way yet — unlike no data, which is inconclusive too but rests on nothing.
    /// </summary>
    public bool Undecided => Verdict == Verdict.Inconclusive && Evidence is { Counts: { CanaryRequests: > 0, StableRequests: > 0 } };
}

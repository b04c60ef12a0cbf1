namespace CanaryPilot.Core.Analysis;

/// <summary>One evaluation of a plan's metrics at one instant.</summary>
public sealed record AnalysisResult(DateTimeOffset At, IReadOnlyList<MetricVerdict> Metrics)
{
    /// <summary>
    /// Fail when any metric failed (the evidence against the canary stands whatever else happened);
    /// otherwise Error when the provider failed for any; otherwise Inconclusive when any lacked data;
    /// Pass only when every metric passed — and never for no metrics at all.
    /// </summary>
    public Verdict Verdict => Metrics switch
    {
        [] => Verdict.Inconclusive,
        _ when Metrics.Any(m => m.Verdict == Verdict.Fail) => Verdict.Fail,
        _ when Metrics.Any(m => m.Verdict == Verdict.Error) => Verdict.Error,
        _ when Metrics.Any(m => m.Verdict == Verdict.Inconclusive) => Verdict.Inconclusive,
        _ => Verdict.Pass,
    };

    /// <summary>No metric failed or lacked data; some are still <see cref="MetricVerdict.Undecided"/>, the others passed.</summary>
    public bool OnlyUndecided => Verdict == Verdict.Inconclusive && Metrics.All(m => m.Verdict == Verdict.Pass || m.Undecided);

    /// <summary>Whether any failed metric breached its critical range.</summary>
    public bool CriticalBreached => Metrics.Any(m => m.CriticalBreached);
}

namespace CanaryPilot.Core.Analysis;

/// <summary>One evaluation of a plan's metrics at one instant.</summary>
public sealed record AnalysisResult(DateTimeOffset At, IReadOnlyList<MetricVerdict> Metrics)
{
    /// <summary>The requests each version served within the analysis interval, when they were measured: the observed split.</summary>
    public TrafficShare? Share { get; init; }

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

/// <summary>The requests the canary and the stable served in one interval.</summary>
public sealed record TrafficShare(double CanaryRequests, double StableRequests)
{
    public double Total => CanaryRequests + StableRequests;

    /// <summary>The canary's share, in percent; 0 when nothing was served.</summary>
    public double CanaryPercent => Total > 0 ? 100 * CanaryRequests / Total : 0;
}

using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// One evaluation of a plan's metrics: render every query, measure each distinct query once through the
/// provider, then judge each metric. Measuring and judging stay apart: the provider's failures arrive as
/// data and become Error verdicts; nothing here throws for them.
/// </summary>
public sealed class Analyzer(IMetricsProvider provider, TemplateCatalog templates)
{

    /// <summary>
    /// Evaluates the metrics of a plan that passed validation, as of <paramref name="at"/>. When the stable
    /// version takes no traffic (a stage at 100%), there is nothing to measure it by: comparisons then use
    /// <paramref name="stableBaselines"/>, the stable values last measured while it did (metric name → value).
    /// The sequential judge counts from <paramref name="stageStartedAt"/>, the start of the stage (the metric's
    /// window back when not given), and adds the <paramref name="earlier"/> stages' counts (metric name → counts).
    /// A caller that measures a stage in pieces (a replay over past data, whose queries must not change from
    /// one check to the next) passes the start of the piece as <paramref name="stageStartedAt"/> and the
    /// stage's counts before it as <paramref name="stageBefore"/> (metric name → counts): the judge then sees
    /// the stage's counts whole, as if measured since the stage began.
    /// </summary>
    public async Task<AnalysisResult> AnalyzeAsync(
        RolloutPlan plan,
        DateTimeOffset at,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, double>? stableBaselines = null,
        DateTimeOffset? stageStartedAt = null,
        IReadOnlyDictionary<string, IReadOnlyList<IntervalCounts>>? earlier = null,
        IReadOnlyDictionary<string, IntervalCounts>? stageBefore = null)
    {
        var countWindow = stageStartedAt is { } started ? CountWindow(at - started) : (TimeSpan?)null;
        var queries = plan.Spec.Analysis.Metrics.Select(metric =>
        {
            var (rendered, problems) = MetricQueries.Render(plan, metric, templates, countWindow);
            rendered = rendered ?? throw new InvalidOperationException($"metric \"{metric.Name}\" of a plan that was not validated: {string.Join("; ", problems)}");
            if (stableBaselines is not null && rendered.Counts is not null)
            {
                // Stable takes no traffic: there are no stable counts to compare with in this stage.
                return rendered with { Counts = null };
            }

            return stableBaselines?.ContainsKey(metric.Name) == true ? rendered with { Stable = null } : rendered;
        }).ToList();

        var share = ShareQueries.Render(plan, templates);
        var distinct = queries.SelectMany(q => q.All).Concat(share is null ? [] : [share.Canary, share.Stable]).Distinct(StringComparer.Ordinal).ToList();
        var measured = await Task.WhenAll(distinct.Select(query => provider.MeasureAsync(query, at, cancellationToken))).ConfigureAwait(false);
        var byQuery = distinct.Zip(measured).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var minVolume = plan.Spec.Analysis.MissingData.MinRequestVolume;
        var verdicts = queries.Select(q => MetricJudge.Judge(
            q.Metric,
            new MetricMeasurements(
                byQuery[q.Canary],
                Baseline(q, stableBaselines) ?? Find(byQuery, q.Stable),
                Find(byQuery, q.RequestVolume),
                q.Counts is { } counts ? new CountMeasurements(byQuery[counts.CanaryEvents], byQuery[counts.CanaryRequests], byQuery[counts.StableEvents], byQuery[counts.StableRequests]) : null,
                StableIdle: stableBaselines is not null && MetricQueries.IsSequential(plan.Spec.Analysis, q.Metric)),
            minVolume,
            q.Window,
            SequentialAlpha(plan, q.Metric),
            UnitScale(templates, q.Metric),
            earlier?.GetValueOrDefault(q.Metric.Name),
            stageBefore?.TryGetValue(q.Metric.Name, out var before) == true ? before : null)).ToList();
        if (countWindow is { } counted && counted < MinCountWindow(plan) && stageBefore is null)
        {
            // increase() extrapolates each series to the window's ends; over a few scrapes that error is
            // not small, and it is not the same for an event counter and its total: not counts to test.
            verdicts = [.. verdicts.Select(v => v.Evidence is null ? v : v with
            {
                Verdict = Verdict.Inconclusive,
                Evidence = null,
                Reason = $"the stage began {Common.Duration.Format(counted)} ago; its counts are tested from {Common.Duration.Format(MinCountWindow(plan))} on (ten scrapes)",
            })];
        }

        return new AnalysisResult(at, verdicts)
        {
            Share = share is not null && Single(byQuery[share.Canary]) is { } canaryRequests && Single(byQuery[share.Stable]) is { } stableRequests
                ? new TrafficShare(canaryRequests, stableRequests)
                : null,
        };
    }

    /// <summary>A volume query's one value; an empty result is no traffic (0), a failure or several series is nothing to go by.</summary>
    private static double? Single(Measurement measurement) => measurement switch
    {
        { Error: not null } => null,
        { Samples: [] } => 0,
        { Samples: [var only] } when double.IsFinite(only.Value) => only.Value,
        _ => null,
    };

    /// <summary>The shortest stage the sequential judge tests at a tick: ten scrape intervals, so that <c>increase()</c> reads counts, not its extrapolation.</summary>
    public static TimeSpan MinCountWindow(RolloutPlan plan) => 10 * plan.Spec.Analysis.Prometheus.ScrapeInterval;

    /// <summary>
    /// The sequential judge's α: 1 − the metric's confidence. One sequence covers the whole rollout (every
    /// stage's counts), so over all its looks a healthy canary is rolled back with probability at most α.
    /// </summary>
    public static double SequentialAlpha(RolloutPlan plan, MetricSpec metric) => 1 - (metric.Confidence ?? plan.Spec.Analysis.Confidence);

    /// <summary>Whole seconds, at least one: the counts' range in PromQL.</summary>
    private static TimeSpan CountWindow(TimeSpan sinceStage) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(sinceStage.TotalSeconds)));

    /// <summary>What one unit of the template's value is as a share of requests: 0.01 for percent, else 1.</summary>
    public static double UnitScale(TemplateCatalog templates, MetricSpec metric) =>
        string.Equals(templates.Find(metric.Template)?.Spec.Unit, "percent", StringComparison.OrdinalIgnoreCase) ? 0.01 : 1;

    private static Measurement? Baseline(MetricQueries queries, IReadOnlyDictionary<string, double>? baselines) =>
        baselines is not null && baselines.TryGetValue(queries.Metric.Name, out var value)
            ? Measurement.Of($"the stable value last measured while the stable version took traffic ({value.ToString(System.Globalization.CultureInfo.InvariantCulture)})", [Sample.Scalar(value)])
            : null;

    private static Measurement? Find(Dictionary<string, Measurement> measured, string? query) => query is null ? null : measured[query];
}

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
    /// </summary>
    public async Task<AnalysisResult> AnalyzeAsync(RolloutPlan plan, DateTimeOffset at, CancellationToken cancellationToken, IReadOnlyDictionary<string, double>? stableBaselines = null)
    {
        var queries = plan.Spec.Analysis.Metrics.Select(metric =>
        {
            var (rendered, problems) = MetricQueries.Render(plan, metric, templates);
            rendered = rendered ?? throw new InvalidOperationException($"metric \"{metric.Name}\" of a plan that was not validated: {string.Join("; ", problems)}");
            return stableBaselines?.ContainsKey(metric.Name) == true ? rendered with { Stable = null } : rendered;
        }).ToList();

        var distinct = queries.SelectMany(q => q.All).Distinct(StringComparer.Ordinal).ToList();
        var measured = await Task.WhenAll(distinct.Select(query => provider.MeasureAsync(query, at, cancellationToken))).ConfigureAwait(false);
        var byQuery = distinct.Zip(measured).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var minVolume = plan.Spec.Analysis.MissingData.MinRequestVolume;
        var verdicts = queries.Select(q => MetricJudge.Judge(
            q.Metric,
            new MetricMeasurements(byQuery[q.Canary], Baseline(q, stableBaselines) ?? Find(byQuery, q.Stable), Find(byQuery, q.RequestVolume)),
            minVolume,
            q.Window)).ToList();
        return new AnalysisResult(at, verdicts);
    }

    private static Measurement? Baseline(MetricQueries queries, IReadOnlyDictionary<string, double>? baselines) =>
        baselines is not null && baselines.TryGetValue(queries.Metric.Name, out var value)
            ? Measurement.Of($"the stable value last measured while the stable version took traffic ({value.ToString(System.Globalization.CultureInfo.InvariantCulture)})", [Sample.Scalar(value)])
            : null;

    private static Measurement? Find(Dictionary<string, Measurement> measured, string? query) => query is null ? null : measured[query];
}

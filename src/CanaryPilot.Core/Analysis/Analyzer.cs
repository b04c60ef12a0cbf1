using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// One evaluation of a plan's metrics: render every query, measure each distinct query once through the
/// provider, then judge each metric. Measuring and judging stay apart: the provider's failures arrive as
/// data and become Error verdicts; nothing here throws for them.
/// </summary>
public sealed class Analyzer(IMetricsProvider provider, TemplateCatalog templates)
{
    /// <summary>Evaluates the metrics of a plan that passed validation, as of <paramref name="at"/>.</summary>
    public async Task<AnalysisResult> AnalyzeAsync(RolloutPlan plan, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var queries = plan.Spec.Analysis.Metrics.Select(metric =>
        {
            var (rendered, problems) = MetricQueries.Render(plan, metric, templates);
            return rendered ?? throw new InvalidOperationException($"metric \"{metric.Name}\" of a plan that was not validated: {string.Join("; ", problems)}");
        }).ToList();

        var distinct = queries.SelectMany(q => q.All).Distinct(StringComparer.Ordinal).ToList();
        var measured = await Task.WhenAll(distinct.Select(query => provider.MeasureAsync(query, at, cancellationToken))).ConfigureAwait(false);
        var byQuery = distinct.Zip(measured).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var minVolume = plan.Spec.Analysis.MissingData.MinRequestVolume;
        var verdicts = queries.Select(q => MetricJudge.Judge(
            q.Metric,
            new MetricMeasurements(byQuery[q.Canary], Find(byQuery, q.Stable), Find(byQuery, q.RequestVolume)),
            minVolume,
            q.Window)).ToList();
        return new AnalysisResult(at, verdicts);
    }

    private static Measurement? Find(Dictionary<string, Measurement> measured, string? query) => query is null ? null : measured[query];
}

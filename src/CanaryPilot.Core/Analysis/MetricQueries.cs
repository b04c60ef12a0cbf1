using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// The rendered queries one metric needs: the canary's; the stable's when the metric compares with it;
/// the canary's request volume over the same window when the minimum-traffic rule is on.
/// </summary>
public sealed record MetricQueries(MetricSpec Metric, TimeSpan Window, string Canary, string? Stable, string? RequestVolume)
{
    /// <summary>The template the minimum-traffic rule measures with.</summary>
    public const string RequestVolumeTemplate = "istio-request-volume";

    public IEnumerable<string> All => new[] { Canary, Stable, RequestVolume }.OfType<string>();

    /// <summary>Renders every query of <paramref name="metric"/>, or says what cannot be rendered and for which side.</summary>
    public static (MetricQueries? Queries, IReadOnlyList<string> Problems) Render(RolloutPlan plan, MetricSpec metric, TemplateCatalog templates)
    {
        var analysis = plan.Spec.Analysis;
        var window = QueryVariables.Window(analysis, metric);
        var problems = new List<string>();

        string? RenderOne(string templateName, IReadOnlyDictionary<string, string> args, MeasuredSide side, string what)
        {
            if (templates.Find(templateName) is not { } template)
            {
                problems.Add($"unknown template \"{templateName}\"");
                return null;
            }

            var rendering = QueryRenderer.Render(template.Spec.Query, QueryVariables.For(plan, template, args, window, side));
            if (rendering.Problem is { } problem)
            {
                problems.Add($"template \"{templateName}\" cannot be rendered for {what}: {problem}");
            }

            return rendering.Query;
        }

        var canary = RenderOne(metric.Template, metric.Args, MeasuredSide.Canary, "the canary");
        var stable = metric.CompareToStable is null ? null : RenderOne(metric.Template, metric.Args, MeasuredSide.Stable, "the stable");
        var volume = analysis.MissingData.MinRequestVolume > 0
            ? RenderOne(RequestVolumeTemplate, new Dictionary<string, string>(), MeasuredSide.Canary, "the minimum-traffic rule")
            : null;
        return problems.Count > 0 || canary is null
            ? (null, problems)
            : (new MetricQueries(metric, window, canary, stable, volume), problems);
    }
}

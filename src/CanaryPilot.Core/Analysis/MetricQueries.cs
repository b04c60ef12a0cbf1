using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// The rendered queries one metric needs: the canary's; the stable's when the metric compares with it
/// check by check; the counts of both versions when the sequential judge compares them; the canary's
/// request volume over the same window when the minimum-traffic rule is on.
/// </summary>
public sealed record MetricQueries(MetricSpec Metric, TimeSpan Window, string Canary, string? Stable, string? RequestVolume, CountQueries? Counts = null)
{
    /// <summary>The template the minimum-traffic rule measures with.</summary>
    public const string RequestVolumeTemplate = "istio-request-volume";

    public IEnumerable<string> All => new[] { Canary, Stable, RequestVolume }.OfType<string>().Concat(Counts?.All ?? []);

    /// <summary>How the metric's comparison with stable is judged: its own judge, else the analysis's.</summary>
    public static Judge JudgeOf(AnalysisSpec analysis, MetricSpec metric) => metric.Judge ?? analysis.Judge;

    /// <summary>Whether the sequential judge compares this metric with stable.</summary>
    public static bool IsSequential(AnalysisSpec analysis, MetricSpec metric) => metric.CompareToStable is not null && JudgeOf(analysis, metric) == Judge.Sequential;

    /// <summary>
    /// Renders every query of <paramref name="metric"/>, or says what cannot be rendered and for which side.
    /// The counts cover <paramref name="countWindow"/> (the time since the stage began), the metric's window when not given.
    /// </summary>
    public static (MetricQueries? Queries, IReadOnlyList<string> Problems) Render(RolloutPlan plan, MetricSpec metric, TemplateCatalog templates, TimeSpan? countWindow = null)
    {
        var analysis = plan.Spec.Analysis;
        var window = QueryVariables.Window(analysis, metric);
        var problems = new List<string>();

        string? RenderOne(string templateName, IReadOnlyDictionary<string, string> args, MeasuredSide side, string what, Func<AnalysisTemplate, string>? query = null, TimeSpan? over = null)
        {
            if (templates.Find(templateName, plan) is not { } template)
            {
                problems.Add($"unknown template \"{templateName}\"");
                return null;
            }

            var rendering = QueryRenderer.Render((query ?? (t => t.Spec.Query))(template), QueryVariables.For(plan, template, args, over ?? window, side));
            if (rendering.Problem is { } problem)
            {
                problems.Add($"template \"{templateName}\" cannot be rendered for {what}: {problem}");
            }

            return rendering.Query;
        }

        var sequential = IsSequential(analysis, metric);
        var canary = RenderOne(metric.Template, metric.Args, MeasuredSide.Canary, "the canary");
        var stable = metric.CompareToStable is null || sequential ? null : RenderOne(metric.Template, metric.Args, MeasuredSide.Stable, "the stable");
        CountQueries? counts = null;
        if (sequential && templates.Find(metric.Template, plan)?.Spec.Counts is not null)
        {
            var over = countWindow ?? window;
            string? Count(Func<TemplateCounts, string> which, MeasuredSide side, string what) =>
                RenderOne(metric.Template, metric.Args, side, what, t => which(t.Spec.Counts!), over);
            var canaryEvents = Count(c => c.Events, MeasuredSide.Canary, "the canary's events");
            var canaryRequests = Count(c => c.Requests, MeasuredSide.Canary, "the canary's requests");
            var stableEvents = Count(c => c.Events, MeasuredSide.Stable, "the stable's events");
            var stableRequests = Count(c => c.Requests, MeasuredSide.Stable, "the stable's requests");
            counts = canaryEvents is null || canaryRequests is null || stableEvents is null || stableRequests is null
                ? null
                : new CountQueries(canaryEvents, canaryRequests, stableEvents, stableRequests);
        }

        var volume = analysis.MissingData.MinRequestVolume > 0
            ? RenderOne(RequestVolumeTemplate, new Dictionary<string, string>(), MeasuredSide.Canary, "the minimum-traffic rule")
            : null;
        return problems.Count > 0 || canary is null
            ? (null, problems)
            : (new MetricQueries(metric, window, canary, stable, volume, counts), problems);
    }
}

/// <summary>The request volume of each version over the analysis interval: what the observed traffic share is read from.</summary>
public sealed record ShareQueries(string Canary, string Stable)
{
    /// <summary>Both versions' volume queries, or null when the plan does not check the share or a side cannot be rendered (no stable workload).</summary>
    public static ShareQueries? Render(RolloutPlan plan, TemplateCatalog templates)
    {
        if (plan.Spec.Analysis.TrafficShareTolerance <= 0 || templates.Find(MetricQueries.RequestVolumeTemplate, plan) is not { } template)
        {
            return null;
        }

        string? One(MeasuredSide side) =>
            QueryRenderer.Render(template.Spec.Query, QueryVariables.For(plan, template, new Dictionary<string, string>(), plan.Spec.Analysis.Interval, side)).Query;
        return One(MeasuredSide.Canary) is { } canary && One(MeasuredSide.Stable) is { } stable ? new ShareQueries(canary, stable) : null;
    }
}

/// <summary>The rendered count queries of the sequential judge: events and requests of each version.</summary>
public sealed record CountQueries(string CanaryEvents, string CanaryRequests, string StableEvents, string StableRequests)
{
    public IEnumerable<string> All => [CanaryEvents, CanaryRequests, StableEvents, StableRequests];
}

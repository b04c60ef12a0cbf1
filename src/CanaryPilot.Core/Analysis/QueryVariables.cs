using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>The values of a template's variables for one metric of a plan, measured on one side.</summary>
public static class QueryVariables
{
    public static IReadOnlyDictionary<string, string?> For(
        RolloutPlan plan, AnalysisTemplate template, IReadOnlyDictionary<string, string> args, TimeSpan window, MeasuredSide side)
    {
        var service = plan.Spec.Service;
        var measured = side == MeasuredSide.Canary ? service.Canary : service.Stable;
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["namespace"] = plan.Namespace,
            ["service"] = service.Name,
            ["workload"] = measured.Workload,
            ["version"] = measured.Version,
            // The side's Service as its host names it: the per-version Service of an HTTPRoute plan.
            ["backend"] = measured.Host.Split('.')[0],
            ["canaryWorkload"] = service.Canary.Workload,
            ["canaryVersion"] = service.Canary.Version,
            ["stableWorkload"] = service.Stable.Workload,
            ["stableVersion"] = service.Stable.Version,
            ["interval"] = window > TimeSpan.Zero ? PromQl.FormatDuration(window) : null,
        };
        foreach (var arg in template.Spec.Args)
        {
            values[QueryTemplate.ArgsPrefix + arg.Name] = args.TryGetValue(arg.Name, out var given) ? given : arg.Default;
        }

        return values;
    }

    /// <summary>The window of a metric: its own, else the analysis interval.</summary>
    public static TimeSpan Window(AnalysisSpec analysis, MetricSpec metric) => metric.Window ?? analysis.Interval;
}

using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// <c>canarypilot.io/v1alpha1</c> <c>AnalysisTemplate</c>: a named PromQL query with declared
/// arguments, measured once for the canary and, for comparisons, once for the stable version.
/// </summary>
[IgnoreFields("status")]
public sealed record AnalysisTemplate
{
    public const string ResourceKind = "AnalysisTemplate";

    public required string ApiVersion { get; init; }

    public required string Kind { get; init; }

    public required ObjectMeta Metadata { get; init; }

    public required AnalysisTemplateSpec Spec { get; init; }

    public string Name => Metadata.Name;
}

public sealed record AnalysisTemplateSpec
{
    public string? Description { get; init; }

    /// <summary>
    /// The PromQL query, with variables in double braces: <c>{{ namespace }}</c>, <c>{{ service }}</c>,
    /// <c>{{ workload }}</c> and <c>{{ version }}</c> (of the side measured), <c>{{ canaryWorkload }}</c>,
    /// <c>{{ canaryVersion }}</c>, <c>{{ stableWorkload }}</c>, <c>{{ stableVersion }}</c>,
    /// <c>{{ interval }}</c> (the metric's window) and <c>{{ args.NAME }}</c>.
    /// </summary>
    public required string Query { get; init; }

    /// <summary>Arguments the query uses; one without a default must be given by every metric.</summary>
    public IReadOnlyList<TemplateArg> Args { get; init; } = [];

    /// <summary>The unit of the result, for people: <c>percent</c> (0–100), <c>ratio</c> (0–1), <c>milliseconds</c>, <c>requests</c>.</summary>
    public string? Unit { get; init; }

    /// <summary>The counts the sequential judge tests, when the template offers them.</summary>
    public TemplateCounts? Counts { get; init; }
}

/// <summary>
/// Two counter increases for the sequential judge, with the query's variables; here <c>{{ interval }}</c> is
/// the time since the stage began. Each must return one value.
/// </summary>
public sealed record TemplateCounts
{
    /// <summary>The bad outcomes the template is about (5xx responses, say), e.g. <c>sum(increase(...[{{ interval }}]))</c>.</summary>
    public required string Events { get; init; }

    /// <summary>All requests, of which <see cref="Events"/> are a part.</summary>
    public required string Requests { get; init; }

    /// <summary>The same counters for every workload at once, for the continuous guard; without them it does not watch the metric.</summary>
    public TemplateTotals? Totals { get; init; }

    /// <summary>
    /// What the template's value is in these counts, so that the continuous guard can check the metric's
    /// critical range between checks: <see cref="CountsValue.Share"/> or <see cref="CountsValue.Complement"/>,
    /// in the template's unit (percent or ratio). Without it the guard checks no critical range of the metric.
    /// </summary>
    public CountsValue? Value { get; init; }
}

/// <summary>How a template's value follows from its counts.</summary>
public enum CountsValue
{
    /// <summary>The events' share of the requests: an error rate, the share slower than a bound.</summary>
    Share,

    /// <summary>One less the events' share: a success rate.</summary>
    Complement,
}

/// <summary>
/// The continuous guard's queries: the cumulative counters of <see cref="TemplateCounts"/>, summed by the
/// labels that tell workloads apart, so that one query per instant serves every rollout. They may use the
/// template's <c>{{ args.NAME }}</c>, never a variable of one side or the window.
/// </summary>
public sealed record TemplateTotals
{
    /// <summary>The events' counter by workload, e.g. <c>sum by (destination_workload_namespace, destination_workload) (istio_requests_total{response_code=~"5.."})</c>.</summary>
    public required string Events { get; init; }

    /// <summary>All requests' counter, by the same labels.</summary>
    public required string Requests { get; init; }

    /// <summary>Which variable each label of the result holds: <c>{destination_workload_namespace: namespace, destination_workload: workload}</c> finds a side's series.</summary>
    public required IReadOnlyDictionary<string, string> By { get; init; }
}

public sealed record TemplateArg
{
    public required string Name { get; init; }

    public string? Default { get; init; }

    public string? Description { get; init; }
}

using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

public sealed partial class PlanValidator
{
    private void CheckStages()
    {
        var spec = plan.Spec;
        if (spec.StepWeights is { } steps)
        {
            if (spec.Stages.Count > 0)
            {
                Error("spec.stepWeights", "set either stages or stepWeights, not both");
                return;
            }

            CheckStepWeights(steps);
        }
        else if (spec.Stages.Count == 0)
        {
            Error("spec.stages", "no stages: list the stages, or set stepWeights");
            return;
        }

        var stages = spec.EffectiveStages();
        var fromList = spec.StepWeights is null;
        var previousWeight = 0;
        var previousPath = "";
        var liveTraffic = false;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var path = fromList ? $"spec.stages[{i}]" : "spec.stepWeights";
            if (fromList)
            {
                CheckStageFields(stage, path);
                CheckLength(stage.MinDuration, stage.Iterations, path);
                CheckAdvance(stage, path, last: i == stages.Count - 1);
            }

            if (stage.Kind is StageKind.Mirror or StageKind.ABTest && liveTraffic)
            {
                Error($"{path}.kind", $"a {KindName(stage.Kind)} stage must come before the stages that send the canary a share of all traffic");
            }

            if (stage.Kind == StageKind.BlueGreen && i < stages.Count - 1)
            {
                Error($"{path}.kind", "a blueGreen stage switches all traffic to the canary, so it must be the last stage");
                continue;
            }

            if (stage.Kind == StageKind.Resilience)
            {
                if (fromList)
                {
                    CheckResilience(stage, i, path);
                }

                if (stage.CanaryWeight > 0 && stage.CanaryWeight < previousWeight)
                {
                    Error($"{path}.weight", $"weight {stage.CanaryWeight} is below {previousWeight} ({previousPath}); a resilience stage keeps or raises the canary's share");
                }
                else if (stage.CanaryWeight > previousWeight)
                {
                    previousWeight = stage.CanaryWeight;
                    previousPath = $"{path}.weight";
                }

                liveTraffic |= stage.CanaryWeight > 0;
                continue;
            }

            if (stage.Kind is StageKind.Canary or StageKind.BlueGreen && stage.CanaryWeight > 0)
            {
                if (stage.CanaryWeight <= previousWeight && stage.Kind == StageKind.Canary && fromList)
                {
                    Error($"{path}.weight", $"weight {stage.CanaryWeight} does not rise above {previousWeight} ({previousPath}); weights must increase strictly");
                }

                liveTraffic = true;
                previousWeight = stage.CanaryWeight;
                previousPath = $"{path}.weight";
            }
        }

        if (stages.Count > 0 && stages[^1].CanaryWeight < 100 && !spec.Promotion.AfterLastStage)
        {
            var last = fromList ? $"spec.stages[{stages.Count - 1}]" : "spec.stepWeights.max";
            Error(last, $"the stages end with the canary at {stages[^1].CanaryWeight}% and never reach 100%; add a stage with weight 100, or set spec.promotion.afterLastStage: true to promote once the last stage passes");
        }
    }

    private void CheckAdvance(Stage stage, string path, bool last)
    {
        if (stage.Advance != StageAdvance.UnlessWorse)
        {
            return;
        }

        if (last)
        {
            Error($"{path}.advance", "the last stage promotes the canary, and promotion waits for the evidence; use advance: unlessWorse on earlier stages only");
        }
        else if (!plan.Spec.Analysis.Metrics.Any(m => MetricQueries.IsSequential(plan.Spec.Analysis, m)))
        {
            Error($"{path}.advance", "advance: unlessWorse lets a stage move on while the sequential judge is undecided, and no metric uses judge: sequential; remove it, or judge a metric sequentially");
        }
    }

    private void CheckStageFields(Stage stage, string path)
    {
        var kind = KindName(stage.Kind);
        if (stage.Kind is StageKind.Canary or StageKind.Resilience)
        {
            if (stage.Weight is not { } weight)
            {
                Error($"{path}.weight", stage.Kind == StageKind.Canary
                    ? "a canary stage needs a weight from 1 to 100"
                    : "a resilience stage needs canary traffic for its faults to act on: give it a weight, or put it after a canary stage, whose weight it keeps");
            }
            else if (weight is < 1 or > 100)
            {
                Error($"{path}.weight", $"weight {weight} is outside 1-100");
            }
        }
        else if (stage.Weight is not null)
        {
            Error($"{path}.weight", stage.Kind == StageKind.BlueGreen
                ? "a blueGreen stage always sends 100% to the canary; remove weight"
                : $"a {kind} stage sends no live traffic to the canary; remove weight");
        }

        if (stage.Kind == StageKind.Mirror)
        {
            if (stage.MirrorPercentage is not { } percentage)
            {
                Error($"{path}.mirrorPercentage", "a mirror stage needs mirrorPercentage, the share of requests copied to the canary");
            }
            else if (percentage is <= 0 or > 100)
            {
                Error($"{path}.mirrorPercentage", $"{percentage} is outside (0, 100]");
            }
        }
        else if (stage.MirrorPercentage is not null)
        {
            Error($"{path}.mirrorPercentage", $"only mirror stages take mirrorPercentage; this is a {kind} stage");
        }

        if (stage.Kind != StageKind.Resilience)
        {
            CheckNotResilience(stage, path, kind);
        }

        if (stage.Kind == StageKind.ABTest)
        {
            CheckMatches(stage.Match, $"{path}.match");
        }
        else if (stage.Match.Count > 0)
        {
            Error($"{path}.match", $"only abTest stages take match; this is a {kind} stage");
        }
    }

    private void CheckSessionAffinity()
    {
        if (plan.Spec.SessionAffinity is not { } affinity)
        {
            return;
        }

        if (plan.Spec.Service.Routing == RoutingKind.HttpRoute)
        {
            Error("spec.sessionAffinity", "sticky sessions set a cookie on the canary's responses through a VirtualService, and this plan drives HTTPRoutes; drive the service's VirtualService for sticky sessions");
        }

        if (affinity.CookieName is { } name && !CookieToken().IsMatch(name))
        {
            Error("spec.sessionAffinity.cookieName", $"{Names.Quote(name)} is not a cookie name: letters, digits and !#$%&'*+-.^_`|~ only");
        }

        if (affinity.MaxAge < TimeSpan.FromSeconds(1))
        {
            Error("spec.sessionAffinity.maxAge", "must be at least 1s: browsers keep the cookie this long");
        }

        if (!plan.Spec.EffectiveStages().Any(s => s.Kind is StageKind.Canary or StageKind.Resilience))
        {
            Error("spec.sessionAffinity", "sticky sessions act at the weighted stages (canary and resilience), and this plan has none");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$")]
    private static partial System.Text.RegularExpressions.Regex CookieToken();

    private void CheckNotResilience(Stage stage, string path, string kind)
    {
        if (stage.Faults.Count > 0)
        {
            Error($"{path}.faults", $"only resilience stages take faults; this is a {kind} stage");
        }

        if (stage.SourceLabels.Count > 0)
        {
            Error($"{path}.sourceLabels", $"only resilience stages take sourceLabels; this is a {kind} stage");
        }

        if (stage.Thresholds.Count > 0)
        {
            Error($"{path}.thresholds", $"only resilience stages take thresholds of their own; this is a {kind} stage");
        }
    }

    /// <summary>A resilience stage: its faults, the canary pods' labels, its thresholds, and a router that can inject faults.</summary>
    private void CheckResilience(Stage stage, int index, string path)
    {
        var service = plan.Spec.Service;
        if (service.Routing == RoutingKind.HttpRoute)
        {
            Error($"{path}.kind", "a resilience stage injects faults through Istio VirtualServices, and this plan drives HTTPRoutes: the Gateway API has no fault filter; drive the service's VirtualService for resilience stages");
        }

        if (stage.Faults.Count == 0)
        {
            Error($"{path}.faults", "a resilience stage needs at least one fault: a delay or an abort on the canary's calls to a dependency");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < stage.Faults.Count; j++)
        {
            var fault = stage.Faults[j];
            var at = $"{path}.faults[{j}]";
            CheckFault(fault, at);
            var target = $"{fault.NamespaceOf(plan.Namespace)}/{fault.VirtualService ?? fault.ShortName}";
            if (seen.TryGetValue(target, out var first))
            {
                Error($"{at}.host", $"{path}.faults[{first}] already injects a fault into {fault.Host}; give each dependency one fault, with a delay and an abort if need be");
            }

            seen.TryAdd(target, j);
            if (Istio.HostName.Same(fault.Host, fault.NamespaceOf(plan.Namespace), service.Stable.Host, plan.Namespace)
                || Istio.HostName.Same(fault.Host, fault.NamespaceOf(plan.Namespace), service.Canary.Host, plan.Namespace))
            {
                Error($"{at}.host", $"{fault.Host} is the service being rolled out; a resilience stage injects faults into the canary's calls to its dependencies");
            }
        }

        if (stage.SourceLabels.Count == 0 && service.Canary.Subset is null)
        {
            Error($"{path}.sourceLabels", "name the canary pods' labels (e.g. {app: reviews, version: v2}): the fault routes match them, and without a canary subset there are no DestinationRule labels to take them from");
        }

        var names = plan.Spec.Analysis.Metrics.Select(m => m.Name).ToList();
        for (var j = 0; j < stage.Thresholds.Count; j++)
        {
            var threshold = stage.Thresholds[j];
            var at = $"{path}.thresholds[{j}]";
            if (!names.Contains(threshold.Metric, StringComparer.Ordinal))
            {
                Error($"{at}.metric", $"no metric \"{threshold.Metric}\" in spec.analysis.metrics{Common.Suggestions.DidYouMean(threshold.Metric, names)}");
            }

            if (threshold is { Min: null, Max: null })
            {
                Error(at, "a threshold needs min, max or both");
            }
            else if (threshold is { Min: { } min, Max: { } max } && min > max)
            {
                Error(at, $"min {min} is above max {max}");
            }
        }

        if (plan.Spec.AnalysisAt(index).Metrics.Count == 0)
        {
            Error($"{path}.thresholds", "no metric can judge this stage: a resilience stage judges metrics by their thresholds (the stage's or their own) and critical ranges, and none has one; the stable sees no faults, so comparisons with it are not made here");
        }
    }

    private void CheckFault(DependencyFault fault, string path)
    {
        if (string.IsNullOrWhiteSpace(fault.Host))
        {
            Error($"{path}.host", "name the dependency's host, as the canary calls it");
        }

        if (fault is { Delay: null, Abort: null })
        {
            Error(path, "a fault needs a delay, an abort or both");
        }

        if (fault.Delay is { } delay)
        {
            if (delay.FixedDelay is not { } fixedDelay)
            {
                Error($"{path}.delay.fixedDelay", "a delay needs fixedDelay, how long each delayed request waits (e.g. 2s)");
            }
            else if (fixedDelay <= TimeSpan.Zero)
            {
                Error($"{path}.delay.fixedDelay", "must be longer than 0s");
            }

            CheckFaultPercentage(delay.Percentage, $"{path}.delay.percentage");
        }

        if (fault.Abort is { } abort)
        {
            if (abort.HttpStatus is null == abort.GrpcStatus is null)
            {
                Error($"{path}.abort", "set httpStatus or grpcStatus, one of them");
            }
            else if (abort.HttpStatus is { } status && status is < 200 or > 599)
            {
                Error($"{path}.abort.httpStatus", $"{status} is not an HTTP status from 200 to 599");
            }
            else if (abort.GrpcStatus is { } grpc && !GrpcCodes.Contains(grpc, StringComparer.Ordinal))
            {
                Error($"{path}.abort.grpcStatus", $"unknown gRPC status \"{grpc}\"{Common.Suggestions.DidYouMean(grpc, GrpcCodes)}; Istio takes the code's name, such as UNAVAILABLE");
            }

            CheckFaultPercentage(abort.Percentage, $"{path}.abort.percentage");
        }
    }

    private void CheckFaultPercentage(double percentage, string path)
    {
        if (percentage is <= 0 or > 100)
        {
            Error(path, $"{percentage.ToString(System.Globalization.CultureInfo.InvariantCulture)} is outside (0, 100]");
        }
    }

    /// <summary>The gRPC status codes by name, as Istio's abort takes them.</summary>
    private static readonly string[] GrpcCodes =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private void CheckMatches(IReadOnlyList<RequestMatch> matches, string path)
    {
        if (matches.Count == 0)
        {
            Error(path, "an abTest stage needs at least one match (headers or cookie)");
        }

        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            if (match.Headers.Count == 0 && match.Cookie is null)
            {
                Error($"{path}[{i}]", "a match needs headers or a cookie");
            }

            foreach (var (header, condition) in match.Headers)
            {
                var given = new[] { condition.Exact, condition.Prefix, condition.Regex }.Count(v => v is not null);
                if (given != 1)
                {
                    Error($"{path}[{i}].headers.{header}", "set exactly one of exact, prefix or regex");
                }

                if (header.Any(char.IsUpper))
                {
                    Error($"{path}[{i}].headers.{header}", $"header names must be lower case, as Istio compares them: \"{header.ToLowerInvariant()}\"");
                }
            }
        }
    }

    private void CheckStepWeights(StepWeights steps)
    {
        if (steps.Step is < 1 or > 100)
        {
            Error("spec.stepWeights.step", $"step {steps.Step} is outside 1-100");
        }

        if (steps.Max is < 1 or > 100)
        {
            Error("spec.stepWeights.max", $"max {steps.Max} is outside 1-100");
        }
        else if (steps.Step > steps.Max)
        {
            Error("spec.stepWeights.step", $"step {steps.Step} is larger than max {steps.Max}");
        }

        CheckLength(steps.MinDuration, steps.Iterations, "spec.stepWeights");
    }

    private void CheckLength(TimeSpan? minDuration, int? iterations, string path)
    {
        if (minDuration is not null && iterations is not null)
        {
            Error($"{path}.iterations", "set minDuration or iterations, not both");
        }

        if (minDuration < TimeSpan.Zero)
        {
            Error($"{path}.minDuration", "must not be negative");
        }

        if (iterations < 1)
        {
            Error($"{path}.iterations", $"{iterations} is not a number of analysis runs; use 1 or more");
        }
    }

    private static string KindName(StageKind kind) => Binding.ObjectBinder.EnumName(kind);
}

using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>Checks that look at one VirtualService at a time.</summary>
internal static class VirtualServiceChecks
{
    public static void Run(LintContext context)
    {
        foreach (var virtualService in context.VirtualServices)
        {
            Check(context, virtualService);
        }
    }

    private static void Check(LintContext context, VirtualServiceView virtualService)
    {
        var document = virtualService.Document;
        if (virtualService.Hosts.Count == 0)
        {
            context.Report(LintRules.MissingField, document, (SourceNode?)virtualService.Spec["hosts"] ?? virtualService.Spec, "spec.hosts", "a VirtualService needs at least one host");
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string? catchAll = null;
        foreach (var route in virtualService.AllRoutes)
        {
            if (route.Name is { } name && !names.TryAdd(name, route.Path))
            {
                context.Report(LintRules.DuplicateRouteName, document, route.Node["name"]!, $"{route.Path}.name", $"route name \"{name}\" is also used by {names[name]}");
            }

            CheckDestinations(context, document, route);
            if (route.Kind != "http")
            {
                continue;
            }

            if (catchAll is not null)
            {
                context.Report(LintRules.UnreachableRoute, document, route.Node, route.Path, $"never used: {catchAll} before it matches every request");
            }
            else if (MatchesEverything(route.Node))
            {
                catchAll = route.Path;
            }

            if (route.Node["route"] is null && route.Node["redirect"] is null && route.Node["directResponse"] is null && route.Node["delegate"] is null)
            {
                context.Report(LintRules.MissingField, document, route.Node, route.Path, "an http route needs route, redirect, directResponse or delegate");
            }

            context.CheckDuration(document, route.Node, "timeout", route.Path);
            context.CheckDuration(document, route.Node.Mapping("retries"), "perTryTimeout", $"{route.Path}.retries");
            CheckMirror(context, document, route);
            CheckFault(context, document, route);
        }
    }

    private static bool MatchesEverything(MappingNode route) =>
        route["match"] is not SequenceNode { Items.Count: > 0 } matches
        || matches.Items.Any(m => m is MappingNode { Entries.Count: 0 } or ScalarNode { IsNull: true });

    private static void CheckDestinations(LintContext context, SourceDocument document, RouteView route)
    {
        var destinations = route.Destinations;
        var weightsValid = true;
        var sum = 0;
        foreach (var destination in destinations)
        {
            if (destination.Host is null)
            {
                context.Report(LintRules.MissingField, document, destination.Node, $"{destination.Path}.destination.host", "a route destination needs a host");
            }

            if (destination.Weight is { } weightNode)
            {
                if (LintContext.IntegerValue(weightNode) is not (>= 0 and <= 100) || !weightNode.IsPlain)
                {
                    weightsValid = false;
                    context.Report(LintRules.WeightRange, document, weightNode, $"{destination.Path}.weight", $"weight {weightNode.Describe()} must be an integer from 0 to 100");
                }
                else
                {
                    sum += LintContext.IntegerValue(weightNode)!.Value;
                }
            }
        }

        var anyWeight = destinations.Any(d => d.Weight is not null);
        var wrongSum = destinations.Count > 1 ? sum != 100 : anyWeight && sum is not (0 or 100);
        if (weightsValid && wrongSum)
        {
            var detail = anyWeight ? $"weights sum to {sum}" : $"{destinations.Count} destinations have no weights";
            context.Report(LintRules.WeightSum, document, route.Node["route"]!, $"{route.Path}.route", $"{detail}; they must sum to 100");
        }
    }

    private static void CheckMirror(LintContext context, SourceDocument document, RouteView route)
    {
        context.CheckPercentage(LintRules.MirrorPercentage, document, route.Node.Mapping("mirrorPercentage")?["value"], $"{route.Path}.mirrorPercentage.value", "mirror percentage");
        context.CheckPercentage(LintRules.MirrorPercentage, document, route.Node["mirrorPercent"], $"{route.Path}.mirrorPercent", "mirror percentage");
        var items = route.Node.Sequence("mirrors");
        for (var i = 0; i < items.Count; i++)
        {
            var path = FieldPath.Index($"{route.Path}.mirrors", i);
            context.CheckPercentage(LintRules.MirrorPercentage, document, (items[i] as MappingNode)?.Mapping("percentage")?["value"], $"{path}.percentage.value", "mirror percentage");
        }

        foreach (var mirror in route.Mirrors.Where(m => m.Host is null))
        {
            context.Report(LintRules.MissingField, document, mirror.Node, $"{mirror.Path}.host", "a mirror needs a host");
        }
    }

    private static void CheckFault(LintContext context, SourceDocument document, RouteView route)
    {
        if (route.Node["fault"] is not { } faultNode)
        {
            return;
        }

        var path = $"{route.Path}.fault";
        var fault = faultNode as MappingNode;
        var delay = fault?.Mapping("delay");
        var abort = fault?.Mapping("abort");
        if (delay is null && abort is null)
        {
            context.Report(LintRules.IncompleteFault, document, faultNode, path, "a fault needs a delay or an abort");
            return;
        }

        if (delay is not null)
        {
            if (delay["fixedDelay"] is null && delay["exponentialDelay"] is null)
            {
                context.Report(LintRules.IncompleteFault, document, delay, $"{path}.delay", "a delay needs fixedDelay");
            }

            context.CheckDuration(document, delay, "fixedDelay", $"{path}.delay");
            context.CheckPercentage(LintRules.FaultPercentage, document, delay.Mapping("percentage")?["value"], $"{path}.delay.percentage.value", "delay percentage");
            context.CheckPercentage(LintRules.FaultPercentage, document, delay["percent"], $"{path}.delay.percent", "delay percentage");
        }

        if (abort is not null)
        {
            if (abort["httpStatus"] is null && abort["grpcStatus"] is null && abort["http2Error"] is null)
            {
                context.Report(LintRules.IncompleteFault, document, abort, $"{path}.abort", "an abort needs httpStatus or grpcStatus");
            }

            context.CheckPercentage(LintRules.FaultPercentage, document, abort.Mapping("percentage")?["value"], $"{path}.abort.percentage.value", "abort percentage");
        }
    }
}

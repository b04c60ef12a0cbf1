using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

/// <summary>
/// Checks a plan against the Istio resources it will drive: the VirtualServices exist, the routes
/// to drive are unambiguous, the subsets exist, and the stages fit the kind of routes found.
/// </summary>
public sealed class PlanIstioChecks(RolloutPlan plan, SourceMap map, IReadOnlyList<VirtualServiceView> virtualServices, IReadOnlyList<DestinationRuleView> destinationRules)
{
    private readonly DiagnosticBag _diagnostics = new();

    public IReadOnlyList<Diagnostic> Check()
    {
        var references = plan.Spec.Service.VirtualServices;
        for (var i = 0; i < references.Count; i++)
        {
            CheckVirtualService(references[i], $"spec.service.virtualServices[{i}]");
        }

        CheckSubset(plan.Spec.Service.Stable, "spec.service.stable.subset");
        CheckSubset(plan.Spec.Service.Canary, "spec.service.canary.subset");
        for (var i = 0; i < plan.Spec.Stages.Count; i++)
        {
            for (var j = 0; j < plan.Spec.Stages[i].Faults.Count; j++)
            {
                CheckDependency(plan.Spec.Stages[i].Faults[j], $"spec.stages[{i}].faults[{j}]");
            }
        }

        return _diagnostics.Items;
    }

    /// <summary>A fault's dependency has one VirtualService among the files, not one this plan drives, that applies to pods' requests.</summary>
    private void CheckDependency(DependencyFault fault, string path)
    {
        var ns = fault.NamespaceOf(plan.Namespace);
        var candidates = virtualServices.Where(v => v.Namespace == ns && (fault.VirtualService is { } name
            ? v.Document.Name == name
            : v.Hosts.Any(h => HostName.Same(h.Value, ns, fault.Host, ns)))).ToList();
        var field = fault.VirtualService is null ? $"{path}.host" : $"{path}.virtualService";
        if (candidates.Count == 0)
        {
            var which = fault.VirtualService is { } named ? $"VirtualService {ns}/{named} is not in the given files" : $"no VirtualService in the given files routes {fault.Host} in namespace {ns}";
            Error(field, $"{which}; Istio injects faults through the dependency's VirtualService: give it beside the plan, or create one");
            return;
        }

        if (candidates.Count > 1)
        {
            Error(field, $"VirtualServices {string.Join(" and ", candidates.Select(c => c.Document.Name))} all route {fault.Host}; name the one to inject the fault into in virtualService");
            return;
        }

        var dependency = candidates[0];
        if (plan.Spec.Service.VirtualServices.Any(r => r.Name == dependency.Document.Name && (r.Namespace ?? plan.Namespace) == ns))
        {
            Error(field, $"VirtualService {dependency.Document.Name} is one this plan drives; a resilience stage injects faults into the canary's calls to another service");
        }
        else if (dependency.Gateways.Count > 0 && !dependency.Gateways.Any(g => g.Value == "mesh"))
        {
            Error(field, $"VirtualService {dependency.Document.Name} applies to gateways only ({string.Join(", ", dependency.Gateways.Select(g => g.Value))}), not to the canary pods' requests: add the gateway \"mesh\"");
        }
        else if (dependency.Http.Count == 0)
        {
            Error(field, $"VirtualService {dependency.Document.Name} has no http routes; faults are injected on http routes");
        }
    }

    private void Error(string path, string message) => _diagnostics.Add(map.Error(path, message));

    /// <summary>Whether a route sends traffic to the plan's stable destination.</summary>
    public static bool ReachesStable(RouteView route, RolloutPlan plan) =>
        route.Destinations.Any(d => IsDestination(d, route.VirtualService.Namespace, plan.Spec.Service.Stable, plan.Namespace));

    private static bool IsDestination(RouteDestination destination, string? routeNamespace, Destination side, string planNamespace) =>
        destination.Host is { } host && HostName.Same(host, routeNamespace, side.Host, planNamespace) && destination.Subset == side.Subset;

    private void CheckVirtualService(VirtualServiceRef reference, string path)
    {
        var ns = reference.Namespace ?? plan.Namespace;
        var virtualService = virtualServices.FirstOrDefault(v => v.Document.Name == reference.Name && v.Namespace == ns);
        if (virtualService is null)
        {
            var sameName = virtualServices.Where(v => v.Document.Name == reference.Name).Select(v => v.Namespace).ToList();
            var hint = sameName.Count > 0
                ? $"; there is one in namespace {sameName[0]}: set the namespace in spec.service.virtualServices or in the plan"
                : Suggestions.DidYouMean(reference.Name, virtualServices.Select(v => v.Document.Name).OfType<string>());
            Error($"{path}.name", $"VirtualService {ns}/{reference.Name} is not in the given files{hint}");
            return;
        }

        var http = virtualService.Http;
        var toStable = http.Where(r => ReachesStable(r, plan)).ToList();
        var stable = plan.Spec.Service.Stable;
        if (toStable.Count == 0)
        {
            var tcp = virtualService.TcpAndTls.Any(r => ReachesStable(r, plan));
            var stages = plan.Spec.EffectiveStages();
            var needsHttp = stages.Select((s, i) => (Kind: s.Kind, i)).FirstOrDefault(s => s.Kind is StageKind.ABTest or StageKind.Mirror, (Kind: StageKind.Canary, i: -1));
            if (tcp && needsHttp.i >= 0)
            {
                Error($"{path}.name", $"VirtualService {reference.Name} has only tcp/tls routes to {stable}; the {ObjectBinder.EnumName(needsHttp.Kind)} stage spec.stages[{needsHttp.i}] needs an http route");
            }
            else if (!tcp)
            {
                Error($"{path}.name", $"VirtualService {reference.Name} has no http route to the stable destination {stable}");
            }

            return;
        }

        var driven = toStable;
        if (reference.Routes.Count > 0)
        {
            driven = [];
            for (var i = 0; i < reference.Routes.Count; i++)
            {
                var name = reference.Routes[i];
                var route = http.FirstOrDefault(r => r.Name == name);
                if (route is null)
                {
                    var named = http.Select(r => r.Name).OfType<string>().ToList();
                    Error($"{path}.routes[{i}]", $"VirtualService {reference.Name} has no http route named \"{name}\"{Suggestions.DidYouMean(name, named)}; its routes are {string.Join(", ", named.Select(n => $"\"{n}\""))}");
                }
                else if (!ReachesStable(route, plan))
                {
                    Error($"{path}.routes[{i}]", $"route \"{name}\" of VirtualService {reference.Name} does not reach the stable destination {stable}");
                }
                else
                {
                    driven.Add(route);
                }
            }
        }
        else if (toStable.Count > 1)
        {
            var described = toStable.Select(r => r.Describe(http.ToList().FindIndex(h => h.Path == r.Path)));
            Error($"{path}.routes", $"VirtualService {reference.Name} has {toStable.Count} http routes to {stable}: {string.Join(", ", described)}; name the ones to drive in routes (name unnamed routes first)");
        }

        foreach (var route in driven)
        {
            CheckForeignDestinations(route, reference, path);
        }
    }

    private void CheckForeignDestinations(RouteView route, VirtualServiceRef reference, string path)
    {
        var service = plan.Spec.Service;
        var ns = route.VirtualService.Namespace;
        var foreign = route.Destinations.FirstOrDefault(d =>
            !IsDestination(d, ns, service.Stable, plan.Namespace) && !IsDestination(d, ns, service.Canary, plan.Namespace));
        if (foreign is not null)
        {
            Error($"{path}.name", $"route {route.Path} of VirtualService {reference.Name} also sends traffic to {foreign.Host}{(foreign.Subset is null ? "" : $" subset {foreign.Subset}")}; CanaryPilot splits a route between stable and canary only");
        }
    }

    private void CheckSubset(Destination side, string path)
    {
        if (side.Subset is not { } subset)
        {
            return;
        }

        var rules = destinationRules.Where(r => r.Serves(side.Host, plan.Namespace)).ToList();
        if (!rules.Any(r => r.Defines(subset)))
        {
            var where = rules.Count == 0
                ? $"no DestinationRule in the given files is for host {side.Host}"
                : $"DestinationRule {rules[0].Document.Name} defines {string.Join(", ", rules.SelectMany(r => r.Subsets).Select(s => $"\"{s.Scalar("name")}\""))}";
            Error(path, $"subset \"{subset}\" of host {side.Host} is not defined: {where}");
        }
    }
}

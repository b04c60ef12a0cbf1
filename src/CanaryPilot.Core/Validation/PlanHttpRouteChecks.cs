using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.GatewayApi;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

/// <summary>
/// Checks a plan on HTTPRoutes against the routes given beside it: each route exists, the rule to drive exists and
/// is unambiguous, it sends traffic to the stable Service and to no third one, and no VirtualService routes the
/// same Service (Istio leaves a host routed by both undefined).
/// </summary>
public sealed class PlanHttpRouteChecks(RolloutPlan plan, SourceMap map, IReadOnlyList<GatewayRouteView> routes, IReadOnlyList<VirtualServiceView> virtualServices)
{
    private readonly DiagnosticBag _diagnostics = new();

    public IReadOnlyList<Diagnostic> Check()
    {
        var references = plan.Spec.Service.HttpRoutes;
        for (var i = 0; i < references.Count; i++)
        {
            CheckRoute(references[i], $"spec.service.httpRoutes[{i}]");
        }

        return _diagnostics.Items;
    }

    private void Error(string path, string message) => _diagnostics.Add(map.Error(path, message));

    private bool Is(BackendRefView backend, Destination side) =>
        backend.IsService && backend.Name == side.Host && backend.Namespace == plan.Namespace && (side.Port is null || backend.Port == side.Port);

    private void CheckRoute(HttpRouteRef reference, string path)
    {
        var ns = reference.Namespace ?? plan.Namespace;
        var route = routes.FirstOrDefault(r => r.Document.Kind == GatewayApiKinds.HttpRoute && r.Document.Name == reference.Name && r.Namespace == ns);
        if (route is null)
        {
            Error($"{path}.name", $"HTTPRoute {ns}/{reference.Name} is not in the given files{Suggestions.DidYouMean(reference.Name, routes.Select(r => r.Document.Name).OfType<string>())}");
            return;
        }

        CheckVirtualServices(route, reference, path);
        var stable = plan.Spec.Service.Stable;
        var rules = route.Rules;
        var toStable = rules.Where(r => r.BackendRefs.Any(b => Is(b, stable))).ToList();
        RuleView? driven;
        if (reference.Rule is { } name)
        {
            driven = rules.FirstOrDefault(r => r.Name == name);
            var named = rules.Select(r => r.Name).OfType<string>().ToList();
            if (driven is null)
            {
                Error($"{path}.rule", $"HTTPRoute {reference.Name} has no rule named \"{name}\"{Suggestions.DidYouMean(name, named)}; its rules are {(named.Count == 0 ? "unnamed: name the rule to drive in the HTTPRoute" : string.Join(", ", named.Select(n => $"\"{n}\"")))}");
                return;
            }

            if (!toStable.Contains(driven))
            {
                Error($"{path}.rule", $"rule \"{name}\" of HTTPRoute {reference.Name} has no backendRef to the stable Service {stable.Host}{(stable.Port is { } port ? $" port {port}" : "")}");
                return;
            }
        }
        else if (toStable.Count != 1)
        {
            Error($"{path}.name", toStable.Count == 0
                ? $"HTTPRoute {reference.Name} has no rule with a backendRef to the stable Service {stable.Host}"
                : $"HTTPRoute {reference.Name} has {toStable.Count} rules with a backendRef to the stable Service {stable.Host}: {string.Join(", ", toStable.Select(r => r.Describe()))}; name the one to drive in rule");
            return;
        }
        else
        {
            driven = toStable[0];
        }

        var foreign = driven.BackendRefs.FirstOrDefault(b => !Is(b, stable) && !Is(b, plan.Spec.Service.Canary) && LintWeight(b) != 0);
        if (foreign is not null)
        {
            Error($"{path}.name", $"{driven.Describe()} of HTTPRoute {reference.Name} also sends traffic to {foreign.Name}; CanaryPilot splits a rule between stable and canary only");
        }
    }

    private void CheckVirtualServices(GatewayRouteView route, HttpRouteRef reference, string path)
    {
        foreach (var parent in route.ParentRefs.Where(p => p.IsService && p.Name is not null))
        {
            var both = virtualServices.FirstOrDefault(v => (v.Gateways.Count == 0 || v.Gateways.Any(g => g.Value == "mesh"))
                && v.Hosts.Any(h => HostName.Same(h.Value, v.Namespace, parent.Name!, parent.Namespace)));
            if (both is not null)
            {
                Error($"{path}.name", $"VirtualService {both.Namespace}/{both.Document.Name} also routes Service {parent.Namespace}/{parent.Name}, the parent of HTTPRoute {reference.Name}; Istio leaves a host routed by both undefined: route it with one of them");
            }
        }
    }

    private static int? LintWeight(BackendRefView backend) => Istio.Lint.LintContext.IntegerValue(backend.Weight);
}

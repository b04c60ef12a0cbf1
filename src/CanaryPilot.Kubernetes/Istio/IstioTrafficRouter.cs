using System.Text.Json.Nodes;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// <see cref="ITrafficRouter"/> for Istio: drives the plan's VirtualServices (all of them together)
/// and, for subset-level splits, makes sure the canary subset exists in the DestinationRule.
/// </summary>
public sealed class IstioTrafficRouter(CustomObjects objects, KubernetesOptions options) : ITrafficRouter
{
    public async Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken)
    {
        var splits = new List<RouteSplit>();
        foreach (var reference in plan.Spec.Service.VirtualServices)
        {
            var virtualService = await objects.GetAsync(VirtualService(plan, reference), cancellationToken)
                ?? throw Missing(plan, reference);
            splits.AddRange(new VirtualServiceEditor(plan, reference).Observe(virtualService));
        }

        return new TrafficObservation(splits);
    }

    public async Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken)
    {
        await EnsureSubsetsAsync(plan, cancellationToken);
        var observation = await EditAllAsync(plan, (editor, document) => editor.Apply(document, intent), cancellationToken);
        await SetFaultsAsync(plan, intent, cancellationToken);
        return observation;
    }

    public async Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken)
    {
        // The canary's calls are left alone first: whatever else happens, no fault outlives the rollout.
        await SetFaultsAsync(plan, TrafficIntent.AllStable, cancellationToken);
        var observation = await EditAllAsync(plan, (editor, document) => editor.Finalize(document, promoted), cancellationToken);
        var rules = new DestinationRuleEditor(plan);
        foreach (var rule in await DestinationRulesAsync(plan, cancellationToken))
        {
            await objects.UpdateAsync(DestinationRule(plan, rule), document => rules.Finalize(document, promoted), status: false, cancellationToken);
        }

        return observation;
    }

    /// <summary>Checks every VirtualService can be driven before changing any, then changes them one by one.</summary>
    private async Task<TrafficObservation> EditAllAsync(RolloutPlan plan, Action<VirtualServiceEditor, JsonObject> edit, CancellationToken cancellationToken)
    {
        foreach (var reference in plan.Spec.Service.VirtualServices)
        {
            var current = await objects.GetAsync(VirtualService(plan, reference), cancellationToken) ?? throw Missing(plan, reference);
            edit(new VirtualServiceEditor(plan, reference), (JsonObject)current.DeepClone());
        }

        var splits = new List<RouteSplit>();
        foreach (var reference in plan.Spec.Service.VirtualServices)
        {
            var editor = new VirtualServiceEditor(plan, reference);
            var written = await objects.UpdateAsync(VirtualService(plan, reference), document => edit(editor, document), status: false, cancellationToken);
            splits.AddRange(editor.Observe(written));
        }

        return new TrafficObservation(splits);
    }

    /// <summary>
    /// Makes the dependencies' VirtualServices carry the intent's faults, and no other fault of this plan: those of every
    /// resilience stage the plan has are taken out unless the intent has them.
    /// </summary>
    private async Task SetFaultsAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken)
    {
        var named = plan.Spec.EffectiveStages().SelectMany(s => s.Faults).Concat(intent.Faults).ToList();
        if (named.Count == 0)
        {
            return;
        }

        var editor = new DependencyFaultEditor(plan);
        var labels = intent.Faults.Count > 0 ? await SourceLabelsAsync(plan, intent, cancellationToken) : new Dictionary<string, string>();
        var targets = new Dictionary<ResourceRef, DependencyFault?>();
        foreach (var fault in named)
        {
            var wanted = intent.Faults.Contains(fault);
            // To take faults out, every VirtualService they may be in (none, when there is none any more).
            foreach (var target in await DependenciesAsync(plan, fault, required: wanted, cancellationToken))
            {
                if (wanted && targets.GetValueOrDefault(target) is { } other && other != fault)
                {
                    throw new TrafficRoutingException($"the faults on {other.Host} and {fault.Host} both land on VirtualService {target.Namespace}/{target.Name}; give each VirtualService one fault");
                }

                targets[target] = wanted ? fault : targets.GetValueOrDefault(target);
            }
        }

        foreach (var (target, fault) in targets)
        {
            await objects.UpdateAsync(target, document => editor.Apply(document, fault, labels), status: false, cancellationToken);
        }
    }

    /// <summary>
    /// The VirtualService that routes a dependency: the one the fault names, else the one of its namespace whose hosts
    /// include the dependency's host — exactly one when <paramref name="required"/> (to inject the fault into). Otherwise
    /// (to take it out) every candidate there is, maybe none.
    /// </summary>
    private async Task<IReadOnlyList<ResourceRef>> DependenciesAsync(RolloutPlan plan, DependencyFault fault, bool required, CancellationToken cancellationToken)
    {
        var ns = fault.NamespaceOf(plan.Namespace);
        if (fault.VirtualService is { } name)
        {
            var named = VirtualServices(options).In(ns, name);
            return await objects.GetAsync(named, cancellationToken) is not null ? [named]
                : required ? throw new TrafficRoutingException($"VirtualService {ns}/{name}, named for the fault on {fault.Host}, does not exist")
                : [];
        }

        var routing = (await objects.ListAsync(VirtualServices(options), ns, cancellationToken))
            .Where(v => (v["spec"]?["hosts"] as JsonArray ?? []).Any(h => h?.GetValue<string>() is { } host && HostName.Same(host, ns, fault.Host, ns)))
            .Select(v => VirtualServices(options).In(ns, v["metadata"]!["name"]!.GetValue<string>()))
            .ToList();
        return routing switch
        {
            _ when !required => routing,
            [_] => routing,
            [] => throw new TrafficRoutingException($"no VirtualService in namespace {ns} routes {fault.Host}; Istio injects faults through one: create it, or name it in the fault's virtualService"),
            _ => throw new TrafficRoutingException($"VirtualServices {string.Join(" and ", routing.Select(r => $"{ns}/{r.Name}"))} all route {fault.Host}; name the one to inject the fault into in the fault's virtualService"),
        };
    }

    /// <summary>The canary pods' labels: the stage's, else those of the canary subset in its DestinationRule.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SourceLabelsAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken)
    {
        if (intent.SourceLabels.Count > 0)
        {
            return intent.SourceLabels;
        }

        var canary = plan.Spec.Service.Canary;
        var labels = (await DestinationRulesAsync(plan, cancellationToken))
            .SelectMany(r => r["spec"]?["subsets"] as JsonArray ?? [])
            .FirstOrDefault(s => canary.Subset is not null && s?["name"]?.GetValue<string>() == canary.Subset)?["labels"] as JsonObject;
        return labels is { Count: > 0 }
            ? labels.ToDictionary(l => l.Key, l => l.Value!.GetValue<string>(), StringComparer.Ordinal)
            : throw new TrafficRoutingException($"the canary's pods cannot be told apart: no DestinationRule gives labels for {canary}; name them in the resilience stage's sourceLabels");
    }

    private async Task EnsureSubsetsAsync(RolloutPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Spec.Service.Canary.Subset is null)
        {
            return;
        }

        var editor = new DestinationRuleEditor(plan);
        if (editor.NeedsCanarySubset(await DestinationRulesAsync(plan, cancellationToken)) is { } rule)
        {
            await objects.UpdateAsync(DestinationRule(plan, rule), editor.AddCanarySubset, status: false, cancellationToken);
        }
    }

    /// <summary>The Istio kinds the router reads, in the configured version: what a controller's cache watches.</summary>
    public static IReadOnlyList<ResourceKind> Kinds(KubernetesOptions options) => [VirtualServices(options), DestinationRules(options)];

    private static ResourceKind VirtualServices(KubernetesOptions options) => new(IstioKinds.Group, options.IstioApiVersion, "virtualservices");

    private static ResourceKind DestinationRules(KubernetesOptions options) => new(IstioKinds.Group, options.IstioApiVersion, "destinationrules");

    /// <summary>The namespace's DestinationRules for the canary's host: the only ones CanaryPilot may add a subset to, or take it back from.</summary>
    private Task<IReadOnlyList<JsonObject>> DestinationRulesAsync(RolloutPlan plan, CancellationToken cancellationToken) =>
        objects.ListAsync(
            DestinationRules(options),
            plan.Namespace,
            cancellationToken,
            rule => rule.Host is { } host && HostName.Same(host, rule.Namespace, plan.Spec.Service.Canary.Host, plan.Namespace));

    private ResourceRef VirtualService(RolloutPlan plan, VirtualServiceRef reference) =>
        VirtualServices(options).In(reference.Namespace ?? plan.Namespace, reference.Name);

    private ResourceRef DestinationRule(RolloutPlan plan, JsonObject rule) =>
        DestinationRules(options).In(plan.Namespace, rule["metadata"]!["name"]!.GetValue<string>());

    private static TrafficRoutingException Missing(RolloutPlan plan, VirtualServiceRef reference) =>
        new($"VirtualService {reference.Namespace ?? plan.Namespace}/{reference.Name} does not exist");
}

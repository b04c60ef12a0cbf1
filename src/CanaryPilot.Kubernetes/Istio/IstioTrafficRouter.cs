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
        return await EditAllAsync(plan, (editor, document) => editor.Apply(document, intent), cancellationToken);
    }

    public async Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken)
    {
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

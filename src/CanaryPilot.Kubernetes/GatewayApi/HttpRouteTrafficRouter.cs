using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.GatewayApi;

/// <summary>
/// <see cref="ITrafficRouter"/> for the Gateway API: drives the plan's HTTPRoutes (all of them together) and reads
/// back what their parents — a waypoint, a Gateway — say of the change.
/// </summary>
public sealed class HttpRouteTrafficRouter(CustomObjects objects, KubernetesOptions options) : ITrafficRouter
{
    public const string Group = "gateway.networking.k8s.io";

    public async Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken)
    {
        var splits = new List<RouteSplit>();
        var notInForce = new List<NotInForce>();
        foreach (var reference in plan.Spec.Service.HttpRoutes)
        {
            var route = await objects.GetAsync(Route(plan, reference), cancellationToken) ?? throw Missing(plan, reference);
            splits.AddRange(new HttpRouteEditor(plan, reference).Observe(route));
            notInForce.AddRange(RouteParents.NotInForce(route));
        }

        return new TrafficObservation(splits, notInForce.Distinct().ToList());
    }

    public Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken) =>
        EditAllAsync(plan, (editor, route) => editor.Apply(route, intent), cancellationToken);

    public Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken) =>
        EditAllAsync(plan, (editor, route) => editor.Finalize(route, promoted), cancellationToken);

    /// <summary>
    /// Checks every route can be driven before changing any, then changes them one by one. Several references to
    /// one HTTPRoute (two of its rules) are edited in one write.
    /// </summary>
    private async Task<TrafficObservation> EditAllAsync(RolloutPlan plan, Action<HttpRouteEditor, JsonObject> edit, CancellationToken cancellationToken)
    {
        var byRoute = plan.Spec.Service.HttpRoutes.GroupBy(r => Route(plan, r)).ToList();
        foreach (var references in byRoute)
        {
            var current = (JsonObject)((await objects.GetAsync(references.Key, cancellationToken) ?? throw Missing(plan, references.First())).DeepClone());
            foreach (var reference in references)
            {
                edit(new HttpRouteEditor(plan, reference), current);
            }
        }

        var splits = new List<RouteSplit>();
        var notInForce = new List<NotInForce>();
        foreach (var references in byRoute)
        {
            var written = await objects.UpdateAsync(
                references.Key,
                document =>
                {
                    foreach (var reference in references)
                    {
                        edit(new HttpRouteEditor(plan, reference), document);
                    }
                },
                status: false,
                cancellationToken);
            splits.AddRange(references.SelectMany(r => new HttpRouteEditor(plan, r).Observe(written)));
            notInForce.AddRange(RouteParents.NotInForce(written));
        }

        return new TrafficObservation(splits, notInForce);
    }

    /// <summary>The Gateway API kinds the router reads, in the configured version: what a controller's cache watches.</summary>
    public static IReadOnlyList<ResourceKind> Kinds(KubernetesOptions options) => [HttpRoutes(options)];

    private static ResourceKind HttpRoutes(KubernetesOptions options) => new(Group, options.GatewayApiVersion, "httproutes");

    private ResourceRef Route(RolloutPlan plan, HttpRouteRef reference) => HttpRoutes(options).In(reference.Namespace ?? plan.Namespace, reference.Name);

    private static TrafficRoutingException Missing(RolloutPlan plan, HttpRouteRef reference) =>
        new($"HTTPRoute {reference.Namespace ?? plan.Namespace}/{reference.Name} does not exist");
}

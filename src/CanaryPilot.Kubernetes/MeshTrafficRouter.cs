using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.GatewayApi;
using CanaryPilot.Kubernetes.Istio;

namespace CanaryPilot.Kubernetes;

/// <summary>The engine's <see cref="ITrafficRouter"/>: each plan goes to the router of the traffic API it names.</summary>
public sealed class MeshTrafficRouter(IstioTrafficRouter virtualServices, HttpRouteTrafficRouter httpRoutes) : ITrafficRouter
{
    public Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken) => For(plan).ObserveAsync(plan, cancellationToken);

    public Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken) => For(plan).ApplyAsync(plan, intent, cancellationToken);

    public Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken) => For(plan).FinalizeAsync(plan, promoted, cancellationToken);

    /// <summary>Every kind either router reads: what a controller's cache watches.</summary>
    public static IReadOnlyList<ResourceKind> Kinds(KubernetesOptions options) => [.. IstioTrafficRouter.Kinds(options), .. HttpRouteTrafficRouter.Kinds(options)];

    private ITrafficRouter For(RolloutPlan plan) => plan.Spec.Service.Routing == RoutingKind.HttpRoute ? httpRoutes : virtualServices;
}

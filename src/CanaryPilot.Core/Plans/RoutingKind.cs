namespace CanaryPilot.Core.Plans;

/// <summary>Which of Istio's traffic APIs a plan drives: the plan names VirtualServices or HTTPRoutes, never both.</summary>
public enum RoutingKind
{
    /// <summary>Istio's VirtualService (with DestinationRule subsets): sidecar mode, and ingress gateways.</summary>
    VirtualService,

    /// <summary>The Kubernetes Gateway API's HTTPRoute, one Service per version: ambient mode with a waypoint, and Gateway API gateways.</summary>
    HttpRoute,
}

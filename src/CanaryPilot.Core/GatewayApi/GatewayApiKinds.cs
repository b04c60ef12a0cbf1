using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.GatewayApi;

/// <summary>The gateway.networking.k8s.io resources CanaryPilot reads, and the Istio labels of ambient mode.</summary>
public static class GatewayApiKinds
{
    public const string Group = "gateway.networking.k8s.io";
    public const string HttpRoute = "HTTPRoute";
    public const string GrpcRoute = "GRPCRoute";
    public const string Gateway = "Gateway";
    public const string ReferenceGrant = "ReferenceGrant";

    /// <summary>A namespace's pods join the ambient mesh: <c>istio.io/dataplane-mode: ambient</c>.</summary>
    public const string DataplaneModeLabel = "istio.io/dataplane-mode";

    /// <summary>The waypoint that handles a Service's (or a namespace's Services') traffic.</summary>
    public const string UseWaypointLabel = "istio.io/use-waypoint";

    /// <summary>On a Service: ingress gateways send its traffic through its waypoint, so the waypoint's routes apply to it.</summary>
    public const string IngressUseWaypointLabel = "istio.io/ingress-use-waypoint";

    /// <summary>The GatewayClass of Istio's waypoints.</summary>
    public const string WaypointClass = "istio-waypoint";

    public static bool IsGatewayApi(SourceDocument document) => document.Group == Group;

    public static bool IsRoute(SourceDocument document) => IsGatewayApi(document) && document.Kind is HttpRoute or GrpcRoute;
}
